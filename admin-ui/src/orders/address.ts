// The address form of the reshipment and shipping-change dialogs: its fields, the order's
// address as the form's starting values, and the AddressInput the mutations take.
import type { AddressInput } from '../gql/graphql';
import type { Order } from './types';

export type AddressForm = Record<keyof AddressInput, string>;

export const ADDRESS_FIELDS: [keyof AddressInput, string, boolean][] = [
  ['name', 'Name', true],
  ['line1', 'Address line 1', true],
  ['line2', 'Address line 2', false],
  ['city', 'City', true],
  ['region', 'Region', false],
  ['postalCode', 'Postal code', true],
  ['country', 'Country (two letters)', true],
  ['phone', 'Phone', false],
];

export function addressForm(a: Order['shippingAddress']): AddressForm {
  return {
    name: a.name,
    line1: a.line1,
    line2: a.line2 ?? '',
    city: a.city,
    region: a.region ?? '',
    postalCode: a.postalCode,
    country: a.country,
    phone: a.phone ?? '',
  };
}

export function addressInput(address: AddressForm): AddressInput {
  return {
    name: address.name,
    line1: address.line1,
    city: address.city,
    postalCode: address.postalCode,
    country: address.country,
    line2: address.line2 || null,
    region: address.region || null,
    phone: address.phone || null,
  };
}
