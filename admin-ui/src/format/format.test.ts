import { describe, expect, test } from 'vitest';

import { formatAge, formatDateTime, formatMoney, humanize, isoToLocalInput, localInputToIso } from './format';

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

describe('datetime-local in the agent’s time zone', () => {
  test('reads the wall time in the zone, summer and winter', () => {
    expect(localInputToIso('2026-07-01T09:30', 'Europe/Berlin')).toBe('2026-07-01T07:30:00.000Z');
    expect(localInputToIso('2026-12-01T09:30', 'Europe/London')).toBe('2026-12-01T09:30:00.000Z');
    expect(localInputToIso('nonsense', 'Europe/London')).toBeNull();
    expect(isoToLocalInput('2026-07-01T07:30:00Z', 'Europe/Berlin')).toBe('2026-07-01T09:30');
  });
  test('shows ages in minutes, hours and days', () => {
    expect(formatAge(59 * 60)).toBe('59 min');
    expect(formatAge(5 * 3600 + 600)).toBe('5 h 10 min');
    expect(formatAge(3 * 86400 + 4 * 3600)).toBe('3 d 4 h');
  });
});
