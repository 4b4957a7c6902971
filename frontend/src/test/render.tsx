import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { Provider, type Client } from 'urql';
import { vi } from 'vitest';

import type { SessionUser } from '@/lib/session/api';
import { SessionContext, type SessionContextValue } from '@/lib/session/context';

export const platformAdmin: SessionUser = {
  id: 'u-admin',
  email: 'ada@example.com',
  platformAdmin: true,
  memberships: [],
};

export function sessionValue(overrides: Partial<SessionContextValue> = {}): SessionContextValue {
  return {
    state: { status: 'signedIn', session: { user: platformAdmin, csrfToken: 'csrf' } },
    signIn: vi.fn(),
    signOut: vi.fn(),
    expire: vi.fn(),
    reload: vi.fn(),
    ...overrides,
  };
}

/** Renders element at path with a session and, when given, a stub GraphQL client. */
export function renderPage(
  element: ReactElement,
  { path = '/', session = sessionValue(), client }: { path?: string; session?: SessionContextValue; client?: object } = {},
) {
  const router = createMemoryRouter(
    [
      { path: path.split('?')[0], element },
      { path: '*', element: <p>elsewhere</p> },
    ],
    { initialEntries: [path] },
  );
  let tree = <RouterProvider router={router} />;
  if (client) tree = <Provider value={client as unknown as Client}>{tree}</Provider>;
  return { router, ...render(<SessionContext.Provider value={session}>{tree}</SessionContext.Provider>) };
}
