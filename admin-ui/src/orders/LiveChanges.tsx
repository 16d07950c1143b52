// Live updates on the order detail: OrderChanged over the session's WebSocket. When an event
// carries a version newer than the one on screen (someone else acted, commented, or a refund
// or the warehouse moved it on), the page says so and offers to reload; it never reloads under
// the agent's hands. The agent's own changes refetch the page, so their event is never newer.
import { useState } from 'react';
import { useSubscription } from 'urql';

import { OrderChangedDocument } from '../gql/graphql';

export function LiveChanges({
  number,
  version,
  onReload,
}: {
  number: string;
  version: number;
  onReload: () => void;
}) {
  const [latest, setLatest] = useState<{ number: string; version: number } | null>(null);
  useSubscription({ query: OrderChangedDocument, variables: { number } }, (_previous, event) => {
    const changed = event.orderChanged;
    setLatest({ number: changed.number, version: changed.version });
    return event;
  });
  const changed = latest !== null && latest.number === number && latest.version > version;
  // The live region is always there, so that screen readers announce the banner when it shows.
  return (
    <div aria-live="polite">
      {changed && (
        <div className="warning banner-live">
          <span>
            This order changed (version {latest.version}) — reload to see the change before you act.
          </span>
          <button type="button" onClick={onReload}>
            Reload
          </button>
        </div>
      )}
    </div>
  );
}
