// Money in the currency's format and date-times in the agent's time zone (viewer.timeZone).
// The API sends amounts as decimal strings and date-times with the viewer's offset.

export interface MoneyValue {
  amount: string;
  currency: string;
}

const locale = (): string => (typeof navigator === 'undefined' ? 'en-GB' : navigator.language);
const moneyFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

export function formatMoney(money: MoneyValue | null | undefined): string {
  if (!money) return '—';
  const key = `${locale()}|${money.currency}`;
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale(), { style: 'currency', currency: money.currency });
    moneyFormats.set(key, format);
  }
  // A decimal string is formatted exactly (Intl.NumberFormat v3), never through a float.
  return format.format(money.amount as Intl.StringNumericLiteral);
}

export function formatDateTime(
  iso: string | null | undefined,
  timeZone: string,
  style: 'full' | 'date' = 'full',
): string {
  if (!iso) return '—';
  const key = `${locale()}|${timeZone}|${style}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale(), {
      dateStyle: 'medium',
      ...(style === 'full' ? { timeStyle: 'short' } : {}),
      timeZone,
    });
    dateFormats.set(key, format);
  }
  return format.format(new Date(iso));
}

/** RETURN_REQUESTED → "Return requested". */
export function humanize(value: string | null | undefined): string {
  if (!value) return '—';
  const words = value.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
