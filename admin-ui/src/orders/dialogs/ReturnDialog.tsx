// "New Return": the lines, a reason per line, where each goes back to (the "Returned To"
// column, only with settings.postsalesSourcingStrategyEnabled) and a mandatory comment.
// "Preview refund" (dry run) shows what approving the return would refund now.
import { useState, type SyntheticEvent } from 'react';
import { useMutation, useQuery } from 'urql';

import { Dialog } from '../../components/Dialog';
import { Field, FormAlert } from '../../components/Field';
import { Money, Status } from '../../components/Values';
import { formatMoney } from '../../format/format';
import {
  PostsalesReasonsDocument,
  ReturnCreateDocument,
  ReturnSourcesDocument,
  type ReturnCreateMutation,
  type ReturnLineInput,
} from '../../gql/graphql';
import {
  errorFor,
  fromCombinedError,
  fromUserError,
  generalError,
  type FormError,
} from '../../graphql/errors';
import { eligibleLines, type AvailableAction } from '../types';
import { useIdempotencyKey } from '../useIdempotencyKey';
import { isStale, type DialogProps } from './common';

type Refunds = Extract<
  ReturnCreateMutation['returnCreate'],
  { __typename: 'ReturnCreateSuccess' }
>['refunds'];
interface Row {
  selected: boolean;
  reason: string;
  returnTo: string;
}

export function ReturnDialog({ order, action, onClose, onDone, onStale }: DialogProps<AvailableAction>) {
  const lines = eligibleLines(order, action);
  const [rows, setRows] = useState<Record<string, Row>>(() =>
    Object.fromEntries(lines.map((l) => [l.id, { selected: lines.length === 1, reason: '', returnTo: '' }])),
  );
  const [comment, setComment] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [preview, setPreview] = useState<{ input: string; refunds: Refunds } | null>(null);
  const [{ data: reasons }] = useQuery({ query: PostsalesReasonsDocument, variables: { kind: 'RETURN' } });
  const [{ data: sourcing }] = useQuery({ query: ReturnSourcesDocument, variables: { orderId: order.id } });
  const [{ fetching }, create] = useMutation(ReturnCreateDocument);
  const keyFor = useIdempotencyKey();

  const sourcingOn = sourcing?.settings.postsalesSourcingStrategyEnabled ?? false;
  const shippedFrom = new Map(sourcing?.order?.lines.map((l) => [l.id, l.source?.code ?? '']) ?? []);
  const chosen = lines.filter((l) => rows[l.id]?.selected);
  const linesInput: ReturnLineInput[] = chosen.map((l) => {
    const row = rows[l.id];
    const returnTo = sourcingOn ? row?.returnTo || shippedFrom.get(l.id) || null : null;
    return { lineId: l.id, reason: row?.reason ?? '', ...(returnTo ? { returnTo } : {}) };
  });
  const input = {
    orderId: order.id,
    lines: linesInput,
    comment: comment.trim(),
    expectedVersion: order.version,
  };
  const inputId = JSON.stringify(input);
  const keys = [
    'input.comment',
    'input.lines',
    ...chosen.flatMap((_, i) => [
      `input.lines.${i}.reason`,
      `input.lines.${i}.returnTo`,
      `input.lines.${i}.lineId`,
    ]),
  ];
  const rowError = (lineId: string, field: string) => {
    const i = chosen.findIndex((l) => l.id === lineId);
    return i < 0 ? undefined : errorFor(error, `input.lines.${i}.${field}`);
  };
  const setRow = (id: string, patch: Partial<Row>) =>
    setRows((r) => ({
      ...r,
      [id]: { ...(r[id] ?? { selected: false, reason: '', returnTo: '' }), ...patch },
    }));

  async function run(dryRun: boolean) {
    const result = await create({ ...input, dryRun, idempotencyKey: dryRun ? null : keyFor(input) });
    const answer = result.data?.returnCreate;
    if (!answer) {
      setError(fromCombinedError(result.error));
      return;
    }
    if (answer.__typename === 'ReturnCreateSuccess') {
      setError(null);
      if (dryRun) setPreview({ input: inputId, refunds: answer.refunds });
      else {
        const numbers = answer.action?.lines.map((l) => l.number).join(', ') ?? '';
        onDone(`Return of line ${numbers} requested; it awaits approval.`);
      }
      return;
    }
    const problem = fromUserError(answer);
    if (answer.__typename === 'SourceNotAllowed') {
      problem.message = `${answer.message} Allowed: ${answer.allowedSources.join(', ')}.`;
    }
    setError(problem);
    if (isStale(problem)) onStale();
  }

  function submit(event: SyntheticEvent) {
    event.preventDefault();
    void run(false);
  }

  const ready = chosen.length > 0 && chosen.every((l) => rows[l.id]?.reason) && comment.trim().length > 0;
  return (
    <Dialog title="New return" onClose={onClose} wide>
      <form onSubmit={submit} noValidate>
        <FormAlert message={generalError(error, keys)} />
        <table className="table">
          <caption>Items that can be returned</caption>
          <thead>
            <tr>
              <th scope="col">Return</th>
              <th scope="col">Item</th>
              <th scope="col">Status</th>
              <th scope="col">Reason</th>
              {sourcingOn && <th scope="col">Returned to</th>}
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => {
              const row = rows[l.id];
              return (
                <tr key={l.id}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Return line ${l.number}`}
                      checked={row?.selected ?? false}
                      onChange={(e) => setRow(l.id, { selected: e.target.checked })}
                    />
                  </td>
                  <td>
                    Line {l.number}: {l.productName} <span className="muted">{l.sku}</span>
                  </td>
                  <td>
                    <Status value={l.status} />
                  </td>
                  <td>
                    <Field label={`Reason for line ${l.number}`} error={rowError(l.id, 'reason')}>
                      <select
                        value={row?.reason ?? ''}
                        disabled={!row?.selected}
                        onChange={(e) => setRow(l.id, { reason: e.target.value })}
                      >
                        <option value="">Choose a reason</option>
                        {reasons?.postsalesReasons.map((r) => (
                          <option key={r.code} value={r.code}>
                            {r.label}
                          </option>
                        ))}
                      </select>
                    </Field>
                  </td>
                  {sourcingOn && (
                    <td>
                      <Field label={`Line ${l.number} returned to`} error={rowError(l.id, 'returnTo')}>
                        <select
                          value={row?.returnTo || shippedFrom.get(l.id) || ''}
                          disabled={!row?.selected}
                          onChange={(e) => setRow(l.id, { returnTo: e.target.value })}
                        >
                          <option value="">Where it shipped from</option>
                          {sourcing?.returnSources?.map((s) => (
                            <option key={s.code} value={s.code}>
                              {s.name} ({s.code})
                            </option>
                          ))}
                        </select>
                      </Field>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
        {errorFor(error, 'input.lines') && <FormAlert message={errorFor(error, 'input.lines')} />}
        <Field label="Comment (mandatory)" error={errorFor(error, 'input.comment')}>
          <textarea
            name="comment"
            rows={3}
            maxLength={1000}
            required
            value={comment}
            onChange={(e) => setComment(e.target.value)}
          />
        </Field>
        {preview?.input === inputId && (
          <section className="preview" aria-label="Refund preview" aria-live="polite">
            <h3>Approving this return would refund</h3>
            <ul>
              {preview.refunds.map((r) => (
                <li key={r.line.id}>
                  Line {r.line.number}: <Money value={r.gross} /> ({formatMoney(r.net)} net +{' '}
                  {formatMoney(r.tax)} tax)
                </li>
              ))}
            </ul>
          </section>
        )}
        <div className="buttons">
          <button type="submit" className="button-primary" disabled={fetching || !ready}>
            Create return
          </button>
          <button type="button" disabled={fetching || !ready} onClick={() => void run(true)}>
            Preview refund
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
