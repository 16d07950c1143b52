// "New Reshipment": lost or damaged items sent again free of charge on a new order -R<n>; the
// shipping method and address may be changed (the address is not validated against a carrier).
import { useState, type SyntheticEvent } from 'react';
import { useMutation, useQuery } from 'urql';

import { Dialog } from '../../components/Dialog';
import { Field, FormAlert } from '../../components/Field';
import { PostsalesReasonsDocument, ReshipmentCreateDocument, type AddressInput } from '../../gql/graphql';
import {
  errorFor,
  fromCombinedError,
  fromUserError,
  generalError,
  type FormError,
} from '../../graphql/errors';
import { ADDRESS_FIELDS, addressForm, addressInput, type AddressForm } from '../address';
import { eligibleLines, lineLabel, type AvailableAction } from '../types';
import { useIdempotencyKey } from '../useIdempotencyKey';
import { isStale, type DialogProps } from './common';

export function ReshipmentDialog({ order, action, onClose, onDone, onStale }: DialogProps<AvailableAction>) {
  const lines = eligibleLines(order, action);
  const [selected, setSelected] = useState<string[]>(lines.length === 1 && lines[0] ? [lines[0].id] : []);
  const [method, setMethod] = useState(order.shippingMethod);
  const [override, setOverride] = useState(false);
  const [address, setAddress] = useState<AddressForm>(() => addressForm(order.shippingAddress));
  const [reason, setReason] = useState('');
  const [{ data: reasons }] = useQuery({
    query: PostsalesReasonsDocument,
    variables: { kind: 'RESHIPMENT' },
  });
  const [comment, setComment] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [{ fetching }, create] = useMutation(ReshipmentCreateDocument);
  const keyFor = useIdempotencyKey();

  const shippingAddress: AddressInput | null = override ? addressInput(address) : null;
  const input = {
    orderId: order.id,
    lineIds: lines.filter((l) => selected.includes(l.id)).map((l) => l.id),
    shippingMethod: method.trim() !== order.shippingMethod ? method.trim() : null,
    shippingAddress,
    reason: reason || null,
    comment: comment.trim() || null,
    expectedVersion: order.version,
  };
  const keys = [
    'input.reason',
    'input.comment',
    'input.shippingMethod',
    ...ADDRESS_FIELDS.map(([k]) => `input.shippingAddress.${k}`),
  ];

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    const result = await create({ ...input, idempotencyKey: keyFor(input) });
    const answer = result.data?.reshipmentCreate;
    if (!answer) return setError(fromCombinedError(result.error));
    if (answer.__typename === 'ReshipmentCreateSuccess') {
      onDone(`Reshipment order ${answer.newOrder.number} created.`);
      return;
    }
    const problem = fromUserError(answer);
    setError(problem);
    if (isStale(problem)) onStale();
  }

  return (
    <Dialog title="New reshipment" onClose={onClose} wide>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <FormAlert message={generalError(error, keys)} />
        <fieldset>
          <legend>Items to reship</legend>
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
        </fieldset>
        <Field label="Shipping method" error={errorFor(error, 'input.shippingMethod')}>
          <input value={method} maxLength={64} onChange={(e) => setMethod(e.target.value)} />
        </Field>
        <label className="check">
          <input type="checkbox" checked={override} onChange={(e) => setOverride(e.target.checked)} />
          Ship to another address (not validated against a carrier)
        </label>
        {override && (
          <fieldset className="search-grid">
            <legend>Shipping address</legend>
            {ADDRESS_FIELDS.map(([key, label, required]) => (
              <Field
                key={key}
                label={required ? label : `${label} (optional)`}
                error={errorFor(error, `input.shippingAddress.${key}`)}
              >
                <input
                  value={address[key]}
                  required={required}
                  onChange={(e) => setAddress((a) => ({ ...a, [key]: e.target.value }))}
                />
              </Field>
            ))}
          </fieldset>
        )}
        <Field label="Reshipment reason (optional)" error={errorFor(error, 'input.reason')}>
          <select value={reason} onChange={(e) => setReason(e.target.value)}>
            <option value="">No reason given</option>
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
          <button type="submit" className="button-primary" disabled={fetching || selected.length === 0}>
            Create reshipment
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
