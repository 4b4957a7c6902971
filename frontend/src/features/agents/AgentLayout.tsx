import { useCallback } from 'react';
import { Link, Outlet, useOutletContext, useParams } from 'react-router';
import { useQuery } from 'urql';

import { EmptyState } from '@/components/EmptyState';
import { Loading } from '@/components/Loading';
import { ErrorNotice } from '@/components/Notice';
import { PageHeader } from '@/components/PageHeader';
import { Flag } from '@/components/StatusBadge';
import { Tabs } from '@/components/Tabs';
import type { AgentFieldsFragment } from '@/gql/graphql';
import { isNotFound } from '@/lib/errors';

import { AgentQuery } from './api';

export interface AgentOutletContext {
  agent: AgentFieldsFragment;
  clientName: string;
  voiceAvailable: boolean;
  refresh: () => void;
}

export function useAgentOutlet(): AgentOutletContext {
  return useOutletContext<AgentOutletContext>();
}

export function AgentLayout() {
  const { clientId = '', slug = '' } = useParams();
  const [result, refetch] = useQuery({ query: AgentQuery, variables: { clientId, slug } });
  const refresh = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  const agent = result.data?.agent;
  const client = result.data?.client;

  if (!result.data && result.fetching) return <Loading label="Loading agent…" />;
  if (result.error && !agent && !isNotFound(result.error)) {
    return <ErrorNotice error={result.error} action="load the agent" onRetry={refresh} />;
  }
  if (!agent || !client) {
    return (
      <div className="card">
        <EmptyState title="Agent not found" action={<Link to="/agents">Back to agents</Link>}>
          No agent with this slug exists in this client, or your account has no access to it.
        </EmptyState>
      </div>
    );
  }

  const base = `/clients/${clientId}/agents/${agent.slug}`;
  return (
    <>
      <PageHeader
        breadcrumb={
          <>
            <Link to="/clients">Clients</Link> / <Link to={`/clients/${clientId}`}>{client.name}</Link> /{' '}
            <Link to={`/clients/${clientId}/agents`}>Agents</Link>
          </>
        }
        title={
          <span className="row">
            {agent.name} <Flag on={agent.enabled} onLabel="Enabled" offLabel="Disabled" />
          </span>
        }
        description={<span className="mono">{agent.slug}</span>}
      />
      <Tabs
        label="Agent sections"
        tabs={[
          { to: base, label: 'Settings', end: true },
          { to: `${base}/try`, label: 'Try it' },
        ]}
      />
      <Outlet
        context={
          {
            agent,
            clientName: client.name,
            voiceAvailable: client.livekit.available,
            refresh,
          } satisfies AgentOutletContext
        }
      />
    </>
  );
}
