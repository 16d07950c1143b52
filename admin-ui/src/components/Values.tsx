// Money and date-times as the agent reads them: currency format, the agent's time zone.
import { formatDateTime, formatMoney, humanize, type MoneyValue } from '../format/format';
import { useViewer } from '../session/session';

export function Money({ value }: { value: MoneyValue | null | undefined }) {
  return <span className="money">{formatMoney(value)}</span>;
}

export function DateTime({
  value,
  dateOnly = false,
}: {
  value: string | null | undefined;
  dateOnly?: boolean;
}) {
  const { timeZone } = useViewer();
  return (
    <time dateTime={value ?? undefined}>{formatDateTime(value, timeZone, dateOnly ? 'date' : 'full')}</time>
  );
}

export function Status({ value }: { value: string }) {
  return <span className={`status status-${value.toLowerCase()}`}>{humanize(value)}</span>;
}
