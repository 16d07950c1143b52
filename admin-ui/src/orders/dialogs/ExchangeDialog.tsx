// "New Exchange": the items to exchange and, for each, the SKU it is exchanged for ("exchange
// for": the other children of its style with stock in the order's store); a new order -E<n>.
import { useState, type SyntheticEvent } from 'react';
import { useMutation, useQuery } from 'urql';

import { Dialog } from '../../components/Dialog';
import { Field, FormAlert } from '../../components/Field';
import { ExchangeCandidatesDocument, ExchangeCreateDocument } from '../../gql/graphql';
import {
  errorFor,
  fromCombinedError,
  fromUserError,
  generalError,
  type FormError,
} from '../../graphql/errors';
import { eligibleLines, lineLabel, type AvailableAction, type OrderLine } from '../types';
import { useIdempotencyKey } from '../useIdempotencyKey';
import { isStale, type DialogProps } from './common';

function CandidateSelect({
  line,
  value,
  error,
  onChange,
}: {
  line: OrderLine;
  value: string;
  error: string | undefined;
  onChange: (sku: string) => void;
}) {
  const [{ data, fetching }] = useQuery({
    query: ExchangeCandidatesDocument,
    variables: { lineId: line.id },
  });
  const candidates = data?.exchangeCandidates ?? [];
  return (
    <Field
      label={`Exchange line ${line.number} for`}
      error={error}
      hint={!fetching && candidates.length === 0 ? 'No other size or colour is in stock.' : undefined}
    >
      <select value={value} onChange={(e) => onChange(e.target.value)} disabled={candidates.length === 0}>
        <option value="">Choose an item</option>
        {candidates.map((sku) => (
          <option key={sku.code} value={sku.code}>
            {sku.code} — {sku.attributes.map((a) => `${a.name}: ${a.value}`).join(', ')} ({sku.available} in
            stock)
          </option>
        ))}
      </select>
    </Field>
  );
}

export function ExchangeDialog({ order, action, onClose, onDone, onStale }: DialogProps<AvailableAction>) {
  const lines = eligibleLines(order, action);
  const [chosen, setChosen] = useState<Record<string, string | undefined>>(() =>
    lines.length === 1 && lines[0] ? { [lines[0].id]: '' } : {},
  );
  const [comment, setComment] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [{ fetching }, create] = useMutation(ExchangeCreateDocument);
  const keyFor = useIdempotencyKey();

  const selected = lines.filter((l) => chosen[l.id] !== undefined);
  const input = {
    orderId: order.id,
    lines: selected.map((l) => ({ lineId: l.id, skuCode: chosen[l.id] ?? '' })),
    comment: comment.trim() || null,
    expectedVersion: order.version,
  };
  const keys = [
    'input.comment',
    ...selected.flatMap((_, i) => [`input.lines.${i}.skuCode`, `input.lines.${i}.lineId`]),
  ];

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    const result = await create({ ...input, idempotencyKey: keyFor(input) });
    const answer = result.data?.exchangeCreate;
    if (!answer) return setError(fromCombinedError(result.error));
    if (answer.__typename === 'ExchangeCreateSuccess') {
      onDone(`Exchange order ${answer.newOrder.number} created; the exchanged items are expected back.`);
      return;
    }
    const problem = fromUserError(answer);
    setError(problem);
    if (isStale(problem)) onStale();
  }

  const ready = selected.length > 0 && selected.every((l) => chosen[l.id]);
  return (
    <Dialog title="New exchange" onClose={onClose} wide>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <FormAlert message={generalError(error, keys)} />
        <fieldset>
          <legend>Items to exchange</legend>
          {lines.map((l) => {
            const i = selected.findIndex((s) => s.id === l.id);
            return (
              <div key={l.id} className="line-choice">
                <label className="check">
                  <input
                    type="checkbox"
                    checked={chosen[l.id] !== undefined}
                    onChange={(e) => setChosen((c) => ({ ...c, [l.id]: e.target.checked ? '' : undefined }))}
                  />
                  {lineLabel(l)}
                </label>
                {chosen[l.id] !== undefined && (
                  <CandidateSelect
                    line={l}
                    value={chosen[l.id] ?? ''}
                    error={
                      errorFor(error, `input.lines.${i}.skuCode`) ??
                      errorFor(error, `input.lines.${i}.lineId`)
                    }
                    onChange={(sku) => setChosen((c) => ({ ...c, [l.id]: sku }))}
                  />
                )}
              </div>
            );
          })}
        </fieldset>
        <Field label="Comment" error={errorFor(error, 'input.comment')}>
          <textarea rows={3} maxLength={1000} value={comment} onChange={(e) => setComment(e.target.value)} />
        </Field>
        <div className="buttons">
          <button type="submit" className="button-primary" disabled={fetching || !ready}>
            Create exchange
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
