// "New Appeasement" on the shipping charge: an order-level refund of part or all of the
// shipping paid, never more than Order.shippingRefundableAmount. "Preview" runs the mutation as
// a dry run; "Refund shipping" makes it with the same input. A refused amount shows the maximum.
import { useState, type SyntheticEvent } from 'react';
import { useMutation, useQuery } from 'urql';

import { Dialog } from '../../components/Dialog';
import { Field, FormAlert } from '../../components/Field';
import { Money } from '../../components/Values';
import { formatMoney } from '../../format/format';
import {
  PostsalesReasonsDocument,
  ShippingAppeasementCreateDocument,
  type ShippingAppeasementCreateMutation,
} from '../../gql/graphql';
import {
  errorFor,
  fromCombinedError,
  fromUserError,
  generalError,
  type FormError,
} from '../../graphql/errors';
import type { AvailableAction } from '../types';
import { useIdempotencyKey } from '../useIdempotencyKey';
import { isStale, type DialogProps } from './common';

type Success = Extract<
  ShippingAppeasementCreateMutation['shippingAppeasementCreate'],
  { __typename: 'ShippingAppeasementCreateSuccess' }
>;
const KEYS = ['input.amount', 'input.reason', 'input.comment'];

export function ShippingAppeasementDialog({ order, onClose, onDone, onStale }: DialogProps<AvailableAction>) {
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [comment, setComment] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [maximum, setMaximum] = useState<{ amount: string; currency: string } | null>(null);
  const [preview, setPreview] = useState<{ input: string; refund: Success['refund'] } | null>(null);
  const [{ data: reasons }] = useQuery({
    query: PostsalesReasonsDocument,
    variables: { kind: 'APPEASEMENT' },
  });
  const [{ fetching }, create] = useMutation(ShippingAppeasementCreateDocument);
  const keyFor = useIdempotencyKey();

  const input = {
    orderId: order.id,
    amount: amount.trim(),
    reason,
    comment: comment.trim() || null,
    expectedVersion: order.version,
  };
  const inputId = JSON.stringify(input);
  const previewed = preview?.input === inputId;

  async function run(dryRun: boolean) {
    const result = await create({ ...input, dryRun, idempotencyKey: dryRun ? null : keyFor(input) });
    const answer = result.data?.shippingAppeasementCreate;
    if (!answer) {
      setError(fromCombinedError(result.error));
      return;
    }
    if (answer.__typename === 'ShippingAppeasementCreateSuccess') {
      setError(null);
      setMaximum(null);
      if (dryRun) setPreview({ input: inputId, refund: answer.refund });
      else onDone(`Shipping refund of ${formatMoney(answer.refund.gross)} requested.`);
      return;
    }
    const problem = fromUserError(answer);
    if (answer.__typename === 'ShippingNotRefundable') {
      setMaximum(answer.maximumRefundable);
      problem.message = `${answer.message} Maximum refundable: ${formatMoney(answer.maximumRefundable)}.`;
    }
    setPreview(null);
    setError(problem);
    if (isStale(problem)) onStale();
  }

  function submit(event: SyntheticEvent) {
    event.preventDefault();
    void run(!previewed);
  }

  return (
    <Dialog title="Refund shipping" onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <FormAlert message={generalError(error, KEYS)} />
        <p>
          Shipping paid: <Money value={order.shipping} />; left to refund:{' '}
          <Money value={order.shippingRefundableAmount} />.
        </p>
        <Field
          label={`Shipping refund (${order.shipping.currency})`}
          hint={`Up to ${formatMoney(order.shippingRefundableAmount)}.`}
          error={errorFor(error, 'input.amount')}
        >
          <input
            name="amount"
            inputMode="decimal"
            autoComplete="off"
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
          />
        </Field>
        {maximum && (
          <button type="button" className="button-quiet" onClick={() => setAmount(maximum.amount)}>
            Use the maximum ({formatMoney(maximum)})
          </button>
        )}
        <Field label="Refund reason" error={errorFor(error, 'input.reason')}>
          <select name="reason" value={reason} onChange={(e) => setReason(e.target.value)}>
            <option value="">Choose a reason</option>
            {reasons?.postsalesReasons.map((r) => (
              <option key={r.code} value={r.code}>
                {r.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Comment" error={errorFor(error, 'input.comment')}>
          <textarea
            name="comment"
            rows={3}
            maxLength={1000}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
          />
        </Field>
        {preview && previewed && (
          <section className="preview" aria-label="Refund preview" aria-live="polite">
            <h3>Refund preview</h3>
            <dl className="pairs">
              <dt>Customer gets back</dt>
              <dd>
                <Money value={preview.refund.gross} />
              </dd>
              <dt>Left of the shipping charge</dt>
              <dd>
                <Money value={preview.refund.remainingRefundable} />
              </dd>
            </dl>
          </section>
        )}
        <div className="buttons">
          <button type="submit" className="button-primary" disabled={fetching || !amount.trim() || !reason}>
            {previewed ? 'Refund shipping' : 'Preview'}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
