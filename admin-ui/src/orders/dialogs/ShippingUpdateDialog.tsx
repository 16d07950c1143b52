// "Change shipping": the address and/or method of an order still in Order review (the caller
// moved, or wants it faster). Only what changed is sent; the history records old → new and the
// warehouse is told. Once the warehouse has the order, the button says why it is unavailable.
import { useState, type SyntheticEvent } from 'react';
import { useMutation } from 'urql';

import { Dialog } from '../../components/Dialog';
import { Field, FormAlert } from '../../components/Field';
import { OrderShippingUpdateDocument } from '../../gql/graphql';
import {
  errorFor,
  fromCombinedError,
  fromUserError,
  generalError,
  type FormError,
} from '../../graphql/errors';
import { ADDRESS_FIELDS, addressForm, addressInput, type AddressForm } from '../address';
import type { AvailableAction } from '../types';
import { useIdempotencyKey } from '../useIdempotencyKey';
import { isStale, type DialogProps } from './common';

export function ShippingUpdateDialog({ order, onClose, onDone, onStale }: DialogProps<AvailableAction>) {
  const [method, setMethod] = useState(order.shippingMethod);
  const [address, setAddress] = useState<AddressForm>(() => addressForm(order.shippingAddress));
  const [error, setError] = useState<FormError | null>(null);
  const [{ fetching }, update] = useMutation(OrderShippingUpdateDocument);
  const keyFor = useIdempotencyKey();

  const before = JSON.stringify(addressForm(order.shippingAddress));
  const addressChanged = JSON.stringify(address) !== before;
  const methodChanged = method.trim() !== order.shippingMethod;
  const input = {
    orderId: order.id,
    shippingAddress: addressChanged ? addressInput(address) : null,
    shippingMethod: methodChanged ? method.trim() : null,
    expectedVersion: order.version,
  };
  const keys = ['input.shippingMethod', ...ADDRESS_FIELDS.map(([k]) => `input.shippingAddress.${k}`)];

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    const result = await update({ ...input, idempotencyKey: keyFor(input) });
    const answer = result.data?.orderShippingUpdate;
    if (!answer) return setError(fromCombinedError(result.error));
    if (answer.__typename === 'OrderShippingUpdateSuccess') {
      const changed = [addressChanged && 'address', methodChanged && 'method'].filter(Boolean).join(' and ');
      onDone(`Shipping ${changed} changed; the warehouse is told.`);
      return;
    }
    const problem = fromUserError(answer);
    setError(problem);
    if (isStale(problem)) onStale();
  }

  return (
    <Dialog title="Change shipping" onClose={onClose} wide>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <FormAlert message={generalError(error, keys)} />
        <Field label="Shipping method" error={errorFor(error, 'input.shippingMethod')}>
          <input value={method} maxLength={64} onChange={(e) => setMethod(e.target.value)} />
        </Field>
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
        <div className="buttons">
          <button
            type="submit"
            className="button-primary"
            disabled={fetching || (!addressChanged && !methodChanged)}
          >
            Save shipping
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
