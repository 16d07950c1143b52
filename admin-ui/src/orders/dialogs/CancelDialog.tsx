// "Cancel Order": the full order or selected lines, only while the order is in Order review,
// with a reason from the cancellation list (required; it shows in the history and the
// customer's email); stock goes back, each line's remaining amount is voided and the customer
// is emailed.
import { useState, type SyntheticEvent } from 'react';
import { useMutation, useQuery } from 'urql';

import { Dialog } from '../../components/Dialog';
import { Field, FormAlert } from '../../components/Field';
import { OrderCancelDocument, PostsalesReasonsDocument } from '../../gql/graphql';
import {
  errorFor,
  fromCombinedError,
  fromUserError,
  generalError,
  type FormError,
} from '../../graphql/errors';
import { eligibleLines, lineLabel, type AvailableAction } from '../types';
import { useIdempotencyKey } from '../useIdempotencyKey';
import { isStale, type DialogProps } from './common';

export function CancelDialog({ order, action, onClose, onDone, onStale }: DialogProps<AvailableAction>) {
  const lines = eligibleLines(order, action);
  const [whole, setWhole] = useState(true);
  const [selected, setSelected] = useState<string[]>([]);
  const [reason, setReason] = useState('');
  const [comment, setComment] = useState('');
  const [{ data: reasons }] = useQuery({
    query: PostsalesReasonsDocument,
    variables: { kind: 'CANCELLATION' },
  });
  const [error, setError] = useState<FormError | null>(null);
  const [{ fetching }, cancel] = useMutation(OrderCancelDocument);
  const keyFor = useIdempotencyKey();

  const input = {
    orderId: order.id,
    lineIds: whole ? null : lines.filter((l) => selected.includes(l.id)).map((l) => l.id),
    reason,
    comment: comment.trim() || null,
    expectedVersion: order.version,
  };

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    const result = await cancel({ ...input, idempotencyKey: keyFor(input) });
    const answer = result.data?.orderCancel;
    if (!answer) return setError(fromCombinedError(result.error));
    if (answer.__typename === 'OrderCancelSuccess') {
      const numbers = answer.action.lines.map((l) => l.number).join(', ');
      onDone(answer.order.status === 'CANCELLED' ? 'Order cancelled.' : `Line ${numbers} cancelled.`);
      return;
    }
    const problem = fromUserError(answer);
    setError(problem);
    if (isStale(problem)) onStale();
  }

  return (
    <Dialog title="Cancel order" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <FormAlert message={generalError(error, ['input.reason', 'input.comment', 'input.lineIds'])} />
        <fieldset>
          <legend>What to cancel</legend>
          <label className="check">
            <input type="radio" name="scope" checked={whole} onChange={() => setWhole(true)} />
            Cancel full order
          </label>
          <label className="check">
            <input type="radio" name="scope" checked={!whole} onChange={() => setWhole(false)} />
            Cancel selected lines
          </label>
        </fieldset>
        {!whole && (
          <fieldset>
            <legend>Lines to cancel</legend>
            {lines.map((l) => (
              <label key={l.id} className="check">
                <input
                  type="checkbox"
                  checked={selected.includes(l.id)}
                  onChange={(e) =>
                    setSelected((s) => (e.target.checked ? [...s, l.id] : s.filter((id) => id !== l.id)))
                  }
                />
                {lineLabel(l)}
              </label>
            ))}
            {errorFor(error, 'input.lineIds') && <FormAlert message={errorFor(error, 'input.lineIds')} />}
          </fieldset>
        )}
        <Field label="Cancellation reason" error={errorFor(error, 'input.reason')}>
          <select value={reason} required onChange={(e) => setReason(e.target.value)}>
            <option value="">Choose a reason</option>
            {reasons?.postsalesReasons.map((r) => (
              <option key={r.code} value={r.code}>
                {r.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Comment" error={errorFor(error, 'input.comment')}>
          <textarea rows={3} maxLength={1000} value={comment} onChange={(e) => setComment(e.target.value)} />
        </Field>
        <div className="buttons">
          <button
            type="submit"
            className="button-danger"
            disabled={fetching || !reason || (!whole && selected.length === 0)}
          >
            {whole ? 'Cancel full order' : 'Cancel selected lines'}
          </button>
          <button type="button" onClick={onClose}>
            Keep the order
          </button>
        </div>
      </form>
    </Dialog>
  );
}
