// How long an item has waited and when it is due against the store's service target; a late
// one says so in words (not only in colour).
import { formatAge } from '../format/format';
import { DateTime } from './Values';

export function Ageing({
  age,
  dueAt,
  breached,
}: {
  age: number | null | undefined;
  dueAt: string | null | undefined;
  breached: boolean | null | undefined;
}) {
  return (
    <>
      <span>{formatAge(age)}</span>
      {dueAt && (
        <div className={breached ? 'late' : 'muted'}>
          {breached ? 'Late, was due ' : 'Due '}
          <DateTime value={dueAt} />
        </div>
      )}
    </>
  );
}
