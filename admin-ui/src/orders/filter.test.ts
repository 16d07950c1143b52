import { expect, test } from 'vitest';

import { emptySearch, filterFromSearch, paramsFromSearch, searchFromParams } from './filter';

test('an empty search sends no filter', () => {
  expect(filterFromSearch(emptySearch())).toBeNull();
});

test('only the fields the agent filled in are sent, trimmed', () => {
  const search = emptySearch();
  search.text.customerName = '  muller jurgen ';
  search.text.postalCode = '10115';
  search.createdFrom = '2026-03-01';
  search.status = ['DELIVERED', 'SHIPPED'];
  search.storeCodes = ['DE'];
  search.returnStatus = 'REQUESTED';
  expect(filterFromSearch(search)).toEqual({
    customerName: 'muller jurgen',
    postalCode: '10115',
    createdFrom: '2026-03-01',
    status: ['DELIVERED', 'SHIPPED'],
    storeCodes: ['DE'],
    returnStatus: 'REQUESTED',
  });
});

test('every field survives the URL, unknown values are dropped', () => {
  const search = emptySearch();
  search.text.reference = '100045';
  search.text.email = 'j@example.com';
  search.text.telephone = '+44 7700 900123';
  search.text.shippingAddress = 'Downing';
  search.text.billingAddress = 'London';
  search.createdTo = '2026-04-01';
  search.appeasementStatus = 'PENDING_RELEASE';
  search.orderType = 'EXCHANGE';
  search.sort = 'GRAND_TOTAL_DESC';
  expect(searchFromParams(paramsFromSearch(search))).toEqual(search);
  const odd = searchFromParams(new URLSearchParams('status=SHIPPED,NOPE&orderType=ODD&sort=NOPE'));
  expect(odd.status).toEqual(['SHIPPED']);
  expect(odd.orderType).toBe('');
  expect(odd.sort).toBe('PURCHASED_AT_DESC');
});
