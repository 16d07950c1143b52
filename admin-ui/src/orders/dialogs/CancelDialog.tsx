// "Cancel Order": the full order or selected lines, only while the order is in Order review;
// stock goes back, each line's remaining amount is voided and the customer is emailed.
import { useState, type SyntheticEvent } from 'react';
import { useMutation } from 'urql';

import { Dialog } from '../../components/Dialog';
import { Field, FormAlert } from '../../components/Field';
import { OrderCancelDocument } from '../../gql/graphql';
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
  const [comment, setComment] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [{ fetching }, cancel] = useMutation(OrderCancelDocument);
  const keyFor = useIdempotencyKey();

  const input = {
    orderId: order.id,
    lineIds: whole ? null : lines.filter((l) => selected.includes(l.id)).map((l) => l.id),
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
        <FormAlert message={generalError(error, ['input.comment', 'input.lineIds'])} />
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
        <Field label="Reason / comment" error={errorFor(error, 'input.comment')}>
          <textarea rows={3} maxLength={1000} value={comment} onChange={(e) => setComment(e.target.value)} />
        </Field>
        <div className="buttons">
          <button
            type="submit"
            className="button-danger"
            disabled={fetching || (!whole && selected.length === 0)}
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
