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

/** An age in seconds as the queues show it: "45 min", "5 h 10 min", "3 d 4 h". */
export function formatAge(seconds: number | null | undefined): string {
  if (seconds == null) return '—';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** The offset (ms) of a time zone at an instant. */
function zoneOffset(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** A `datetime-local` value ("2026-12-01T09:30") read in the agent's time zone, as an ISO
 * instant for the API (UTC, with its offset). Empty or malformed: null. */
export function localInputToIso(value: string, timeZone: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!match) return null;
  const [, y, mo, d, h, mi] = match.map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  let instant = wall - zoneOffset(wall, timeZone);
  instant = wall - zoneOffset(instant, timeZone);
  return new Date(instant).toISOString();
}

/** An instant as a `datetime-local` value in the agent's time zone. */
export function isoToLocalInput(iso: string | number, timeZone: string): string {
  const instant = new Date(iso).getTime();
  const wall = new Date(instant + zoneOffset(instant, timeZone));
  return wall.toISOString().slice(0, 16);
}

/** Which limit an appeasement goes over (PostsalesAction.approvalReason), in words. */
export function approvalReasonText(reason: string | null | undefined): string {
  switch (reason) {
    case 'PER_ACTION_LIMIT':
      return 'Above the limit per appeasement.';
    case 'DAILY_LIMIT':
      return 'Above what is left of the day’s limit.';
    case null:
    case undefined:
      return 'Above the role’s limit.';
    default:
      return humanize(reason);
  }
}
