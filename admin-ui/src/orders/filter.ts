// The queue's search (every field of OrderFilter) as URL parameters, so a search survives a
// reload and the back button, and as the OrderFilter the API takes (empty fields left out).
import type {
  AppeasementStatus,
  OrderFilter,
  OrderSort,
  OrderStatus,
  OrderType,
  ReturnStatus,
} from '../gql/graphql';

export const TEXT_FIELDS = [
  ['reference', 'Client order reference'],
  ['customerName', 'Client name'],
  ['postalCode', 'ZIP / postal code'],
  ['shippingAddress', 'Shipping address'],
  ['billingAddress', 'Billing address'],
  ['email', 'Email'],
  ['telephone', 'Telephone'],
] as const;
export type TextField = (typeof TEXT_FIELDS)[number][0];

export const ORDER_STATUSES: OrderStatus[] = [
  'ORDER_REVIEW',
  'RELEASED',
  'SHIPPED',
  'DELIVERED',
  'CANCELLED',
];
export const ORDER_TYPES: OrderType[] = ['NORMAL', 'EXCHANGE', 'RESHIPMENT'];
export const APPEASEMENT_STATUSES: AppeasementStatus[] = [
  'REQUESTED',
  'PENDING_RELEASE',
  'RELEASED',
  'CANCELLED',
];
export const RETURN_STATUSES: ReturnStatus[] = ['REQUESTED', 'APPROVED', 'CANCELLED'];
export const SORTS: [OrderSort, string][] = [
  ['PURCHASED_AT_DESC', 'Newest first'],
  ['PURCHASED_AT_ASC', 'Oldest first'],
  ['GRAND_TOTAL_DESC', 'Grand total, highest first'],
  ['GRAND_TOTAL_ASC', 'Grand total, lowest first'],
  ['NUMBER_ASC', 'Order number, ascending'],
  ['NUMBER_DESC', 'Order number, descending'],
];

/** What the search form edits: every OrderFilter field, as the form holds it. */
export interface SearchForm {
  text: Record<TextField, string>;
  createdFrom: string;
  createdTo: string;
  appeasementStatus: AppeasementStatus | '';
  returnStatus: ReturnStatus | '';
  orderType: OrderType | '';
  status: OrderStatus[];
  storeCodes: string[];
  sort: OrderSort;
}

export function emptySearch(): SearchForm {
  return {
    text: Object.fromEntries(TEXT_FIELDS.map(([k]) => [k, ''])) as Record<TextField, string>,
    createdFrom: '',
    createdTo: '',
    appeasementStatus: '',
    returnStatus: '',
    orderType: '',
    status: [],
    storeCodes: [],
    sort: 'PURCHASED_AT_DESC',
  };
}

const list = (raw: string | null): string[] => (raw ? raw.split(',').filter(Boolean) : []);
const oneOf = <T extends string>(raw: string | null, values: readonly T[]): T | '' =>
  values.find((v) => v === raw) ?? '';

export function searchFromParams(params: URLSearchParams): SearchForm {
  const form = emptySearch();
  for (const [key] of TEXT_FIELDS) form.text[key] = params.get(key) ?? '';
  form.createdFrom = params.get('createdFrom') ?? '';
  form.createdTo = params.get('createdTo') ?? '';
  form.appeasementStatus = oneOf(params.get('appeasementStatus'), APPEASEMENT_STATUSES);
  form.returnStatus = oneOf(params.get('returnStatus'), RETURN_STATUSES);
  form.orderType = oneOf(params.get('orderType'), ORDER_TYPES);
  form.status = list(params.get('status')).filter((s): s is OrderStatus =>
    (ORDER_STATUSES as string[]).includes(s),
  );
  form.storeCodes = list(params.get('storeCodes'));
  form.sort = SORTS.find(([s]) => s === params.get('sort'))?.[0] ?? 'PURCHASED_AT_DESC';
  return form;
}

export function paramsFromSearch(form: SearchForm): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key] of TEXT_FIELDS) {
    const value = form.text[key].trim();
    if (value) params.set(key, value);
  }
  if (form.createdFrom) params.set('createdFrom', form.createdFrom);
  if (form.createdTo) params.set('createdTo', form.createdTo);
  if (form.appeasementStatus) params.set('appeasementStatus', form.appeasementStatus);
  if (form.returnStatus) params.set('returnStatus', form.returnStatus);
  if (form.orderType) params.set('orderType', form.orderType);
  if (form.status.length) params.set('status', form.status.join(','));
  if (form.storeCodes.length) params.set('storeCodes', form.storeCodes.join(','));
  if (form.sort !== 'PURCHASED_AT_DESC') params.set('sort', form.sort);
  return params;
}

/** The API's filter: only the fields the agent filled in; null when there are none. */
export function filterFromSearch(form: SearchForm): OrderFilter | null {
  const filter: OrderFilter = {};
  for (const [key] of TEXT_FIELDS) {
    const value = form.text[key].trim();
    if (value) filter[key] = value;
  }
  if (form.createdFrom) filter.createdFrom = form.createdFrom;
  if (form.createdTo) filter.createdTo = form.createdTo;
  if (form.appeasementStatus) filter.appeasementStatus = form.appeasementStatus;
  if (form.returnStatus) filter.returnStatus = form.returnStatus;
  if (form.orderType) filter.orderType = form.orderType;
  if (form.status.length) filter.status = form.status;
  if (form.storeCodes.length) filter.storeCodes = form.storeCodes;
  return Object.keys(filter).length ? filter : null;
}
