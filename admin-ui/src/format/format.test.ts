import { describe, expect, test } from 'vitest';

import { formatDateTime, formatMoney, humanize } from './format';

describe('money in the currency’s format', () => {
  test('pounds and euros from decimal strings, exactly', () => {
    expect(formatMoney({ amount: '19.99', currency: 'GBP' })).toBe('£19.99');
    expect(formatMoney({ amount: '1234.50', currency: 'EUR' })).toBe('€1,234.50');
    expect(formatMoney({ amount: '0.10', currency: 'USD' })).toBe('US$0.10');
  });

  test('a missing amount is a dash', () => {
    expect(formatMoney(null)).toBe('—');
  });
});

describe('date-times in the agent’s time zone', () => {
  test('the same instant reads differently in London and Berlin', () => {
    const iso = '2026-03-29T00:30:00+00:00';
    expect(formatDateTime(iso, 'Europe/London')).toBe('29 Mar 2026, 00:30');
    expect(formatDateTime(iso, 'Europe/Berlin')).toBe('29 Mar 2026, 01:30');
    expect(formatDateTime(iso, 'America/New_York', 'date')).toBe('28 Mar 2026');
  });

  test('the offset the API sends is honoured across DST', () => {
    expect(formatDateTime('2026-03-29T02:30:00+01:00', 'Europe/London')).toBe('29 Mar 2026, 02:30');
  });
});

test('enum values read as words', () => {
  expect(humanize('RETURN_REQUESTED')).toBe('Return requested');
  expect(humanize(null)).toBe('—');
});
