import { useCallback } from 'react';
import { Link, Outlet, useOutletContext, useParams } from 'react-router';
import { useQuery } from 'urql';

import { EmptyState } from '@/components/EmptyState';
import { Loading } from '@/components/Loading';
import { ErrorNotice } from '@/components/Notice';
import { PageHeader } from '@/components/PageHeader';
import { StatusBadge } from '@/components/StatusBadge';
import { Tabs } from '@/components/Tabs';
import type { ClientQuery as ClientQueryResult } from '@/gql/graphql';
import { isNotFound } from '@/lib/errors';
import { usePolling } from '@/lib/polling';

import { ClientQuery } from './api';

export type ClientDetail = NonNullable<ClientQueryResult['client']>;

export interface ClientOutletContext {
  client: ClientDetail;
  refresh: () => void;
}

/** Returns the client loaded by ClientLayout, for its tab pages. */
export function useClientOutlet(): ClientOutletContext {
  return useOutletContext<ClientOutletContext>();
}

/** Intervals of the live provisioning status, in milliseconds. */
const busyPollMs = 1500;
const idlePollMs = 15000;

export function ClientLayout() {
  const { clientId = '' } = useParams();
  const [result, refetch] = useQuery({ query: ClientQuery, variables: { id: clientId } });
  const refresh = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const client = result.data?.client;
  const busy = client?.provisioningStatus === 'PENDING' || client?.provisioningStatus === 'PROVISIONING';
  usePolling(refresh, busy ? busyPollMs : idlePollMs, client != null);

  if (!result.data && result.fetching) return <Loading label="Loading client…" />;
  if (result.error && !client && !isNotFound(result.error)) {
    return <ErrorNotice error={result.error} action="load the client" onRetry={refresh} />;
  }
  if (!client) {
    return (
      <div className="card">
        <EmptyState title="Client not found" action={<Link to="/clients">Back to clients</Link>}>
          No client with this id exists, or your account has no access to it.
        </EmptyState>
      </div>
    );
  }

  const base = `/clients/${client.id}`;
  return (
    <>
      <PageHeader
        breadcrumb={<Link to="/clients">Clients</Link>}
        title={
          <span className="row">
            {client.name} <StatusBadge status={client.provisioningStatus} />
          </span>
        }
        description={<span className="mono">{client.slug}</span>}
      />
      <Tabs
        label="Client sections"
        tabs={[
          { to: base, label: 'Overview', end: true },
          { to: `${base}/agents`, label: 'Agents' },
          { to: `${base}/sites`, label: 'WordPress sites' },
          { to: `${base}/members`, label: 'Members' },
          { to: `${base}/audit`, label: 'Audit log' },
        ]}
      />
      <Outlet context={{ client, refresh } satisfies ClientOutletContext} />
    </>
  );
}
