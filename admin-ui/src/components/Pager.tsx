// Keyset paging: "Next" follows pageInfo.endCursor; "Previous" goes back through the cursors
// already walked (the API pages forward only, and pages never repeat or skip a row).
import { useCallback, useState } from 'react';

export interface Paging {
  after: string | null;
  page: number;
  next: (endCursor: string | null | undefined) => void;
  previous: () => void;
  reset: () => void;
}

export function usePaging(): Paging {
  const [stack, setStack] = useState<(string | null)[]>([null]);
  const next = useCallback((endCursor: string | null | undefined) => {
    if (endCursor) setStack((s) => [...s, endCursor]);
  }, []);
  const previous = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const reset = useCallback(() => setStack([null]), []);
  return { after: stack[stack.length - 1] ?? null, page: stack.length, next, previous, reset };
}

export function Pager({
  paging,
  totalCount,
  pageSize,
  shown,
  hasNextPage,
  endCursor,
  noun,
}: {
  paging: Paging;
  totalCount: number;
  pageSize: number;
  shown: number;
  hasNextPage: boolean;
  endCursor: string | null | undefined;
  noun: string;
}) {
  const first = (paging.page - 1) * pageSize + (shown ? 1 : 0);
  const last = (paging.page - 1) * pageSize + shown;
  return (
    <nav className="pager" aria-label="Pages">
      <p aria-live="polite">
        {totalCount === 0
          ? `No ${noun}`
          : `${first.toLocaleString()}–${last.toLocaleString()} of ${totalCount.toLocaleString()} ${noun}`}
      </p>
      <button type="button" disabled={paging.page === 1} onClick={paging.previous}>
        Previous
      </button>
      <button type="button" disabled={!hasNextPage} onClick={() => paging.next(endCursor)}>
        Next
      </button>
    </nav>
  );
}
