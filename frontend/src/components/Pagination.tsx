import { useCallback, useState } from 'react';

import { Button } from './Button';

/**
 * Keeps the cursors of the pages already visited, so that a forward-only
 * cursor API (first/after) can go back too.
 */
export function useCursorPager() {
  const [stack, setStack] = useState<(string | null)[]>([null]);
  const after = stack[stack.length - 1] ?? null;
  const next = useCallback((cursor: string | null | undefined) => {
    if (cursor) setStack((s) => [...s, cursor]);
  }, []);
  const previous = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const reset = useCallback(() => setStack([null]), []);
  return { after, page: stack.length, next, previous, reset };
}

export function Pagination({
  page,
  pageSize,
  shown,
  total,
  hasNext,
  onNext,
  onPrevious,
  noun,
}: {
  page: number;
  pageSize: number;
  shown: number;
  total: number;
  hasNext: boolean;
  onNext: () => void;
  onPrevious: () => void;
  noun: string;
}) {
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = (page - 1) * pageSize + shown;
  return (
    <nav className="pagination" aria-label={`${noun} pages`}>
      <span aria-live="polite">
        {first}–{last} of {total} {noun}
      </span>
      <div className="actions">
        <Button size="small" onClick={onPrevious} disabled={page <= 1}>
          Previous
        </Button>
        <Button size="small" onClick={onNext} disabled={!hasNext}>
          Next
        </Button>
      </div>
    </nav>
  );
}
