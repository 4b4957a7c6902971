import { Navigate, Outlet, useLocation } from 'react-router';

import { Button } from '@/components/Button';
import { Loading } from '@/components/Loading';
import { ErrorNotice } from '@/components/Notice';
import { GraphQLProvider } from '@/lib/graphql/GraphQLProvider';
import { useSession } from '@/lib/session/context';

/** Renders the app for a signed-in user, and sends everyone else to /login. */
export function RequireSession() {
  const { state, reload } = useSession();
  const location = useLocation();

  switch (state.status) {
    case 'loading':
      return (
        <main className="login">
          <Loading label="Checking your session…" />
        </main>
      );
    case 'failed':
      return (
        <main className="login">
          <div className="card">
            <ErrorNotice error={state.error} action="check your session" />
            <Button variant="primary" onClick={reload}>
              Try again
            </Button>
          </div>
        </main>
      );
    case 'anonymous': {
      const next = `${location.pathname}${location.search}`;
      const params = new URLSearchParams({ next });
      if (state.expired) params.set('expired', '1');
      return <Navigate to={`/login?${params.toString()}`} replace />;
    }
    case 'signedIn':
      return (
        <GraphQLProvider csrfToken={state.session.csrfToken}>
          <Outlet />
        </GraphQLProvider>
      );
  }
}
