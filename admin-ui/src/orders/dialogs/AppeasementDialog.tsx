// "New Appeasement": a line, the amount (net), a reason and a comment; "Preview" runs the
// mutation as a dry run and shows the refund (net, tax, gross) and what would be left, then
// "Create appeasement" makes it with the same input. Refused amounts show the maximum.
import { useState, type SyntheticEvent } from 'react';
import { useMutation, useQuery } from 'urql';

import { Dialog } from '../../components/Dialog';
import { Field, FormAlert } from '../../components/Field';
import { Money } from '../../components/Values';
import { approvalReasonText, formatMoney } from '../../format/format';
import {
  AppeasementCreateDocument,
  PostsalesReasonsDocument,
  type AppeasementCreateMutation,
} from '../../gql/graphql';
import {
  errorFor,
  fromCombinedError,
  fromUserError,
  generalError,
  type FormError,
} from '../../graphql/errors';
import type { AvailableAction } from '../types';
import { eligibleLines, lineLabel } from '../types';
import { useIdempotencyKey } from '../useIdempotencyKey';
import { isStale, type DialogProps } from './common';

type Success = Extract<
  AppeasementCreateMutation['appeasementCreate'],
  { __typename: 'AppeasementCreateSuccess' }
>;
const KEYS = ['input.lineId', 'input.amount', 'input.reason', 'input.comment'];

export function AppeasementDialog({ order, action, onClose, onDone, onStale }: DialogProps<AvailableAction>) {
  const lines = eligibleLines(order, action);
  const [lineId, setLineId] = useState(lines[0]?.id ?? '');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [comment, setComment] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [maximum, setMaximum] = useState<{ amount: string; currency: string } | null>(null);
  const [preview, setPreview] = useState<{
    input: string;
    refund: Success['refund'];
    needsApproval: boolean;
    approvalReason: string | null;
  } | null>(null);
  const [{ data: reasons }] = useQuery({
    query: PostsalesReasonsDocument,
    variables: { kind: 'APPEASEMENT' },
  });
  const [{ fetching }, create] = useMutation(AppeasementCreateDocument);
  const keyFor = useIdempotencyKey();

  const line = lines.find((l) => l.id === lineId);
  const input = {
    lineId,
    amount: amount.trim(),
    reason,
    comment: comment.trim() || null,
    expectedVersion: order.version,
  };
  const inputId = JSON.stringify(input);
  const previewed = preview?.input === inputId;

  async function run(dryRun: boolean) {
    const result = await create({ ...input, dryRun, idempotencyKey: dryRun ? null : keyFor(input) });
    const answer = result.data?.appeasementCreate;
    if (!answer) {
      setError(fromCombinedError(result.error));
      return;
    }
    if (answer.__typename === 'AppeasementCreateSuccess') {
      setError(null);
      setMaximum(null);
      if (dryRun) {
        setPreview({
          input: inputId,
          refund: answer.refund,
          needsApproval: answer.needsApproval,
          approvalReason: answer.approvalReason ?? null,
        });
      } else if (answer.needsApproval) {
        onDone(
          `Appeasement of ${formatMoney(answer.refund.net)} (net) on line ${answer.refund.line.number} waits for a supervisor’s approval.`,
        );
      } else {
        onDone(
          `Appeasement of ${formatMoney(answer.refund.net)} (net) on line ${answer.refund.line.number} requested.`,
        );
      }
      return;
    }
    const problem = fromUserError(answer);
    if (answer.__typename === 'AmountExceedsRefundable') {
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
    <Dialog title="New appeasement" onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <FormAlert message={generalError(error, KEYS)} />
        <Field label="Item" error={errorFor(error, 'input.lineId')}>
          <select name="lineId" value={lineId} onChange={(e) => setLineId(e.target.value)}>
            {lines.map((l) => (
              <option key={l.id} value={l.id}>
                {lineLabel(l)} — refundable {formatMoney(l.refundableAmount)}
              </option>
            ))}
          </select>
        </Field>
        {action.approvalLimit && (
          <p className="muted" id="approval-limit">
            Up to {formatMoney(action.approvalLimit)} without approval; more waits for a supervisor.
          </p>
        )}
        <Field
          label={`Refund amount (net, ${line?.refundableAmount.currency ?? order.grandTotal.currency})`}
          hint={
            line ? `Up to ${formatMoney(line.refundableAmount)} is left to refund on this line.` : undefined
          }
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
              <dt>Net</dt>
              <dd>
                <Money value={preview.refund.net} />
              </dd>
              <dt>Tax</dt>
              <dd>
                <Money value={preview.refund.tax} />
              </dd>
              <dt>Customer gets back</dt>
              <dd>
                <Money value={preview.refund.gross} />
              </dd>
              <dt>Left to refund on the line</dt>
              <dd>
                <Money value={preview.refund.remainingRefundable} />
              </dd>
            </dl>
            {preview.needsApproval && (
              <p className="warning" role="note">
                <strong>Needs approval.</strong> {approvalReasonText(preview.approvalReason)} It will wait for
                a supervisor (its amount reserved) before the customer is refunded.
              </p>
            )}
          </section>
        )}
        <div className="buttons">
          <button
            type="submit"
            className="button-primary"
            disabled={fetching || !lineId || !amount.trim() || !reason}
          >
            {previewed ? 'Create appeasement' : 'Preview'}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
