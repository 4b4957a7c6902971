import { useCallback } from 'react';
import { useQuery } from 'urql';

import { graphql } from '@/gql';
import { Loading } from '@/components/Loading';
import { ErrorNotice } from '@/components/Notice';
import { Card, PageHeader } from '@/components/PageHeader';
import { Flag } from '@/components/StatusBadge';
import { formatDateTime } from '@/lib/format';
import { usePolling } from '@/lib/polling';

const HealthQuery = graphql(`
  query Health {
    health {
      status
      database
      timestamp
      clients {
        pending
        provisioning
        ready
        failed
      }
      tenantPools {
        openPools
        maxPools
        poolSize
        maxConns
        leasesInUse
        evictions
      }
    }
  }
`);

export function HealthPage() {
  const [result, refetch] = useQuery({ query: HealthQuery });
  const refresh = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  usePolling(refresh, 10000);
  const health = result.data?.health;

  return (
    <>
      <PageHeader title="Health" description="Platform and tenant database health, refreshed every 10 seconds." />
      {result.error && <ErrorNotice error={result.error} action="load the health report" onRetry={refresh} />}
      {!health && result.fetching && <Loading />}
      {health && (
        <>
          <Card title="Platform" labelledBy="platform-health">
            <dl className="kv">
              <dt>Status</dt>
              <dd>
                <Flag on={health.status === 'healthy'} onLabel="Healthy" offLabel="Degraded" />
              </dd>
              <dt>Platform database</dt>
              <dd>{health.database ? 'reachable' : 'unreachable'}</dd>
              <dt>Checked</dt>
              <dd>{formatDateTime(health.timestamp)}</dd>
            </dl>
          </Card>
          {health.tenantPools ? (
            <Card
              title="Tenant connection pools"
              labelledBy="tenant-health"
              description="Pools the connection manager keeps open to client databases."
            >
              <dl className="kv">
                <dt>Open pools</dt>
                <dd>
                  {health.tenantPools.openPools} of at most {health.tenantPools.maxPools}
                </dd>
                <dt>Connections per pool</dt>
                <dd>{health.tenantPools.poolSize}</dd>
                <dt>Connection budget</dt>
                <dd>{health.tenantPools.maxConns}</dd>
                <dt>Leases in use</dt>
                <dd>{health.tenantPools.leasesInUse}</dd>
                <dt>Evictions</dt>
                <dd>{health.tenantPools.evictions}</dd>
                {health.clients && (
                  <>
                    <dt>Clients by status</dt>
                    <dd>
                      {health.clients.ready} ready, {health.clients.provisioning} provisioning,{' '}
                      {health.clients.pending} pending, {health.clients.failed} failed
                    </dd>
                  </>
                )}
              </dl>
            </Card>
          ) : (
            <p className="muted">Tenant pool statistics are shown to platform admins only.</p>
          )}
        </>
      )}
    </>
  );
}
