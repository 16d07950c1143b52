// "Send again": a FAILED refund goes to the payment system once more (the same amount, a new
// credit note), for those whose role holds REFUND_RETRY; offered on the refunds that
// availableActions REFUND_RETRY lists in refundIds.
import { useState } from 'react';
import { useMutation } from 'urql';

import { Dialog } from '../../components/Dialog';
import { FormAlert } from '../../components/Field';
import { formatMoney } from '../../format/format';
import { RefundRetryDocument } from '../../gql/graphql';
import { fromCombinedError, fromUserError, type FormError } from '../../graphql/errors';
import type { Order } from '../types';
import { useIdempotencyKey } from '../useIdempotencyKey';
import { isStale, type Done } from './common';

export function RefundRetryDialog({
  order,
  refund,
  onClose,
  onDone,
  onStale,
}: {
  order: Order;
  refund: Order['refunds'][number];
  onClose: () => void;
  onDone: Done;
  onStale: () => void;
}) {
  const [error, setError] = useState<FormError | null>(null);
  const [{ fetching }, retry] = useMutation(RefundRetryDocument);
  const keyFor = useIdempotencyKey();

  async function confirm() {
    const input = { refundId: refund.id, expectedVersion: order.version };
    const result = await retry({ ...input, idempotencyKey: keyFor(input) });
    const answer = result.data?.refundRetry;
    if (!answer) return setError(fromCombinedError(result.error));
    if (answer.__typename === 'RefundRetrySuccess') {
      onDone(
        `Refund ${refund.id} sent again as refund ${answer.refund.id} (${formatMoney(answer.refund.gross)}).`,
      );
      return;
    }
    const problem = fromUserError(answer);
    setError(problem);
    if (isStale(problem)) onStale();
  }

  const what = refund.line ? `line ${refund.line.number}` : 'the shipping charge';
  return (
    <Dialog title="Send the refund again?" onClose={onClose}>
      <FormAlert message={error?.message} />
      <p>
        Refund {refund.id} of {formatMoney(refund.gross)} on {what} of order {order.number} failed
        {refund.failureReason ? `: ${refund.failureReason}` : ''}.
      </p>
      <p>The same amount goes to the payment system again as a new credit note.</p>
      <div className="buttons">
        <button type="button" className="button-primary" disabled={fetching} onClick={() => void confirm()}>
          Send refund again
        </button>
        <button type="button" onClick={onClose}>
          Keep it failed
        </button>
      </div>
    </Dialog>
  );
}
