import { createContext, useContext } from 'react';

import type { Session, SessionUser } from './api';

export type SessionState =
  | { status: 'loading' }
  | { status: 'failed'; error: unknown }
  | { status: 'anonymous'; expired: boolean }
  | { status: 'signedIn'; session: Session };

export interface SessionContextValue {
  state: SessionState;
  signIn: (email: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
  /** Drops the session after the server rejected it, so the login page shows. */
  expire: () => void;
  reload: () => void;
}

export const SessionContext = createContext<SessionContextValue | null>(null);

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession needs a SessionProvider above it');
  return value;
}

/** Returns the signed-in user; only for pages behind RequireSession. */
export function useCurrentUser(): SessionUser {
  const { state } = useSession();
  if (state.status !== 'signedIn') throw new Error('useCurrentUser needs a signed-in session');
  return state.session.user;
}
