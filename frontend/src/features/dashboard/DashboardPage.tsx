import { useCallback } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';

import { Loading } from '@/components/Loading';
import { ErrorNotice } from '@/components/Notice';
import { PageHeader } from '@/components/PageHeader';
import { Flag } from '@/components/StatusBadge';
import type { DashboardQuery as DashboardResult } from '@/gql/graphql';
import { formatDateTime } from '@/lib/format';
import { usePolling } from '@/lib/polling';

import { DashboardQuery } from './api';

/** Refresh interval of the dashboard's live counts, in milliseconds. */
const refreshMs = 10000;

export function DashboardPage() {
  const [result, refetch] = useQuery({ query: DashboardQuery });
  const refresh = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  usePolling(refresh, refreshMs);
  const data = result.data;

  return (
    <>
      <PageHeader
        title="Dashboard"
        description={
          data ? `Live: updated ${formatDateTime(data.health.timestamp)}, every 10 seconds.` : undefined
        }
      />
      {result.error && <ErrorNotice error={result.error} action="load the dashboard" onRetry={refresh} />}
      {!data && result.fetching && <Loading label="Loading the dashboard…" />}
      {data && <DashboardStats data={data} />}
    </>
  );
}

function DashboardStats({ data }: { data: DashboardResult }) {
  const { clients, agents, triggersLast24h: triggers } = data.dashboard;
  const totalClients = clients.pending + clients.provisioning + clients.ready + clients.failed;
  const totalTriggers = triggers.voice + triggers.video + triggers.text;
  return (
    <div className="grid" data-testid="dashboard">
      <section className="stat" aria-labelledby="stat-clients">
        <div className="label" id="stat-clients">
          Clients
        </div>
        <div className="value">{totalClients}</div>
        <dl>
          <dt>Ready</dt>
          <dd>{clients.ready}</dd>
          <dt>Provisioning</dt>
          <dd>{clients.provisioning}</dd>
          <dt>Pending</dt>
          <dd>{clients.pending}</dd>
          <dt>{clients.failed > 0 ? <Link to="/clients?status=FAILED">Failed</Link> : 'Failed'}</dt>
          <dd>{clients.failed}</dd>
        </dl>
      </section>
      <section className="stat" aria-labelledby="stat-agents">
        <div className="label" id="stat-agents">
          Agents
        </div>
        <div className="value">{agents}</div>
        <p className="muted" style={{ margin: '0.5rem 0 0' }}>
          <Link to="/agents">All agents</Link>
        </p>
      </section>
      <section className="stat" aria-labelledby="stat-triggers">
        <div className="label" id="stat-triggers">
          Triggers in the last 24 hours
        </div>
        <div className="value">{totalTriggers}</div>
        <dl>
          <dt>Text messages</dt>
          <dd>{triggers.text}</dd>
          <dt>Voice sessions</dt>
          <dd>{triggers.voice}</dd>
          <dt>Video sessions</dt>
          <dd>{triggers.video}</dd>
        </dl>
        {triggers.readyClients > triggers.countedClients && (
          <p className="muted" style={{ margin: '0.5rem 0 0', fontSize: '0.85rem' }}>
            Counted in {triggers.countedClients} of {triggers.readyClients} ready clients.
          </p>
        )}
        {triggers.unavailableClients > 0 && (
          <p className="muted" style={{ margin: '0.5rem 0 0', fontSize: '0.85rem' }}>
            {triggers.unavailableClients} client database(s) could not be read.
          </p>
        )}
      </section>
      <section className="stat" aria-labelledby="stat-health">
        <div className="label" id="stat-health">
          Platform health
        </div>
        <div className="value">
          <Flag on={data.health.status === 'healthy'} onLabel="Healthy" offLabel="Degraded" />
        </div>
        <dl>
          <dt>Platform database</dt>
          <dd>{data.health.database ? 'up' : 'down'}</dd>
          {data.health.tenantPools && (
            <>
              <dt>Tenant pools open</dt>
              <dd>
                {data.health.tenantPools.openPools} / {data.health.tenantPools.maxPools}
              </dd>
              <dt>Leases in use</dt>
              <dd>{data.health.tenantPools.leasesInUse}</dd>
            </>
          )}
        </dl>
        <p className="muted" style={{ margin: '0.5rem 0 0' }}>
          <Link to="/health">Details</Link>
        </p>
      </section>
    </div>
  );
}
