import type { ReactNode } from 'react';

import { describeError } from '@/lib/errors';

import { Button } from './Button';

export interface ErrorNoticeProps {
  error: unknown;
  /** Failed action as a verb phrase, such as "load clients". */
  action: string;
  onRetry?: () => void;
}

/** Shows an error as what failed and what to do next. */
export function ErrorNotice({ error, action, onRetry }: ErrorNoticeProps) {
  const problem = describeError(error, action);
  return (
    <div className="notice error" role="alert">
      <p>
        <strong>{problem.message}</strong>
      </p>
      <p>{problem.hint}</p>
      {onRetry && (
        <div className="actions">
          <Button size="small" onClick={onRetry}>
            Try again
          </Button>
        </div>
      )}
    </div>
  );
}

export function Notice({
  tone,
  children,
}: {
  tone: 'success' | 'warning' | 'error';
  children: ReactNode;
}) {
  return (
    <div className={`notice ${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}
