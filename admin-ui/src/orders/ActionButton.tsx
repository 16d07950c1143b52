// A button that follows Order.availableActions: hidden when the role lacks the permission
// (the agent can never use it), disabled with the reason when the order does not allow it now.
import { useId } from 'react';

import type { ActionUnavailableReason, AvailableActionKind } from '../gql/graphql';
import type { AvailableAction } from './types';

/** Why an action is unavailable, in the agent's words. The switch is exhaustive: a reason the
 * contract adds is a type error here until it has its sentence. */
export function reasonText(reason: ActionUnavailableReason, kind?: AvailableActionKind): string {
  switch (reason) {
    case 'MISSING_PERMISSION':
      return 'Your role does not allow this.';
    case 'ORDER_STATUS':
      return kind === 'SHIPPING_UPDATE'
        ? 'Only orders in Order review can change address or method; the warehouse has it now.'
        : 'Only orders in Order review can be cancelled here; later the warehouse cancels.';
    case 'NO_ELIGIBLE_LINE':
      return 'No line of this order qualifies.';
    case 'NO_ELIGIBLE_ACTION':
      return 'No post-sales action is in a status this applies to.';
    case 'OUT_OF_STOCK':
      return 'No unit is left in the order’s store.';
    case 'NOTHING_REFUNDABLE':
      return 'Nothing is left of the shipping charge to refund.';
    case 'NO_FAILED_REFUND':
      return 'No failed refund waits to be sent again.';
    case 'APPROVAL_REQUIRED':
      return 'Above your role’s limit: a supervisor approves it.';
    case 'OWN_ACTION':
      return 'You created it: another supervisor decides (four eyes).';
    default: {
      const unknown: never = reason;
      return String(unknown);
    }
  }
}

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
        {action.reason ? reasonText(action.reason, action.kind) : 'Not available now.'}
      </span>
    </span>
  );
}
