// A button that follows Order.availableActions: hidden when the role lacks the permission
// (the agent can never use it), disabled with the reason when the order does not allow it now.
import { useId } from 'react';

import type { ActionUnavailableReason } from '../gql/graphql';
import type { AvailableAction } from './types';

export const REASONS: Record<ActionUnavailableReason, string> = {
  MISSING_PERMISSION: 'Your role does not allow this.',
  ORDER_STATUS: 'Only orders in Order review can be cancelled here; later the warehouse cancels.',
  NO_ELIGIBLE_LINE: 'No line of this order qualifies.',
  NO_ELIGIBLE_ACTION: 'No post-sales action is in a status this applies to.',
  OUT_OF_STOCK: 'No unit is left in the order’s store.',
};

export function ActionButton({
  action,
  label,
  onClick,
}: {
  action: AvailableAction | undefined;
  label: string;
  onClick: () => void;
}) {
  const reasonId = useId();
  if (!action || action.reason === 'MISSING_PERMISSION') return null;
  if (action.allowed) {
    return (
      <button type="button" onClick={onClick}>
        {label}
      </button>
    );
  }
  return (
    <span className="action-unavailable">
      <button type="button" disabled aria-describedby={reasonId}>
        {label}
      </button>
      <span id={reasonId} className="muted">
        {action.reason ? REASONS[action.reason] : 'Not available now.'}
      </span>
    </span>
  );
}
