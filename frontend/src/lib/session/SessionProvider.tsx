import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';

import { fetchSession, login, logout } from './api';
import { SessionContext, type SessionContextValue, type SessionState } from './context';

/** Loads the session from GET /auth/session and keeps it for the whole app. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const reload = useCallback(() => {
    setState({ status: 'loading' });
    fetchSession().then(
      (session) =>
        setState(session ? { status: 'signedIn', session } : { status: 'anonymous', expired: false }),
      (error: unknown) => setState({ status: 'failed', error }),
    );
  }, []);

  useEffect(reload, [reload]);

  const signIn = useCallback(async (email: string, password: string) => {
    const session = await login(email, password);
    setState({ status: 'signedIn', session });
  }, []);

  const signOut = useCallback(async () => {
    if (state.status === 'signedIn') {
      try {
        await logout(state.session.csrfToken);
      } catch {
        // The session may already be gone on the server; forget it here too.
      }
    }
    setState({ status: 'anonymous', expired: false });
  }, [state]);

  const expire = useCallback(() => {
    setState((current) =>
      current.status === 'signedIn' ? { status: 'anonymous', expired: true } : current,
    );
  }, []);

  const value = useMemo<SessionContextValue>(
    () => ({ state, signIn, signOut, expire, reload }),
    [state, signIn, signOut, expire, reload],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
