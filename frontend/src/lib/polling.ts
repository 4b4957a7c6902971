import { useEffect } from 'react';

/**
 * Re-runs refresh every intervalMs while enabled and the page is visible.
 * Polling replaces live data where the API has no subscription yet.
 */
export function usePolling(refresh: () => void, intervalMs: number, enabled = true): void {
  useEffect(() => {
    if (!enabled) return undefined;
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') refresh();
    }, intervalMs);
    return () => window.clearInterval(timer);
  }, [refresh, intervalMs, enabled]);
}
