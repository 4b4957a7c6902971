import { Link } from 'react-router';
import { useQuery } from 'urql';

import { EmptyState } from '@/components/EmptyState';
import { Loading } from '@/components/Loading';
import { ErrorNotice, Notice } from '@/components/Notice';
import { Card } from '@/components/PageHeader';
import { Pagination, useCursorPager } from '@/components/Pagination';
import { useClientOutlet } from '@/features/clients/ClientLayout';
import { canManageClient } from '@/lib/session/access';
import { useCurrentUser } from '@/lib/session/context';

import { AgentTable } from './AgentTable';
import { ClientAgentsQuery } from './api';

const pageSize = 20;

/** Lists the agents of the client page's client, in its Agents tab. */
export function ClientAgents() {
  const { client } = useClientOutlet();
  const canManage = canManageClient(useCurrentUser(), client.id);
  if (client.provisioningStatus !== 'READY') {
    return (
      <Notice tone="warning">
        Agents live in the client's database, which is not ready yet. They appear here once
        provisioning finishes.
      </Notice>
    );
  }
  return (
    <Card
      title="Agents"
      labelledBy="client-agents-heading"
      actions={
        canManage && (
          <Link className="button primary" to={`/clients/${client.id}/agents/new`}>
            New agent
          </Link>
        )
      }
    >
      <AgentsOfClient clientId={client.id} />
    </Card>
  );
}

export function AgentsOfClient({ clientId }: { clientId: string }) {
  const pager = useCursorPager();
  const [result, refetch] = useQuery({
    query: ClientAgentsQuery,
    variables: { clientId, first: pageSize, after: pager.after },
  });
  const connection = result.data?.agents;

  if (result.error) {
    return (
      <ErrorNotice
        error={result.error}
        action="load the agents"
        onRetry={() => refetch({ requestPolicy: 'network-only' })}
      />
    );
  }
  if (!connection) return <Loading label="Loading agents…" />;
  if (connection.totalCount === 0) {
    return <EmptyState title="No agents yet">Create an agent to reply to visitors of this client's websites.</EmptyState>;
  }
  return (
    <>
      <AgentTable agents={connection.edges.map((e) => e.node)} />
      <Pagination
        noun="agents"
        page={pager.page}
        pageSize={pageSize}
        shown={connection.edges.length}
        total={connection.totalCount}
        hasNext={connection.pageInfo.hasNextPage}
        onNext={() => pager.next(connection.pageInfo.endCursor)}
        onPrevious={pager.previous}
      />
    </>
  );
}
