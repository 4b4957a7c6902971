import { useEffect, useMemo, type ReactNode } from 'react';
import { Provider } from 'urql';

import { useSession } from '@/lib/session/context';

import { createGraphQLClient } from './client';

/** Provides a GraphQL client bound to the signed-in session's CSRF token. */
export function GraphQLProvider({ csrfToken, children }: { csrfToken: string; children: ReactNode }) {
  const { expire } = useSession();
  const { client, dispose } = useMemo(
    () => createGraphQLClient({ csrfToken, onUnauthenticated: expire }),
    [csrfToken, expire],
  );
  useEffect(() => dispose, [dispose]);
  return <Provider value={client}>{children}</Provider>;
}
