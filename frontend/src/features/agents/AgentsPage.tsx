import { Link, useSearchParams } from 'react-router';
import { useQuery } from 'urql';

import { EmptyState } from '@/components/EmptyState';
import { SelectField } from '@/components/Field';
import { Loading } from '@/components/Loading';
import { ErrorNotice } from '@/components/Notice';
import { Card, PageHeader } from '@/components/PageHeader';
import { Pagination, useCursorPager } from '@/components/Pagination';
import { canManageClient } from '@/lib/session/access';
import { useCurrentUser } from '@/lib/session/context';

import { AgentTable } from './AgentTable';
import { AgentsByClientQuery, ClientOptionsQuery } from './api';
import { AgentsOfClient } from './ClientAgents';

/** Maximum number of clients in the filter; the filter's hint tells when more exist. */
const clientOptionLimit = 100;
const clientsPerPage = 10;
const agentsPerClient = 10;

export function AgentsPage() {
  const user = useCurrentUser();
  const [params, setParams] = useSearchParams();
  const clientId = params.get('client') ?? '';
  const [options] = useQuery({ query: ClientOptionsQuery, variables: { first: clientOptionLimit } });
  const clients = options.data?.clients.edges.map((e) => e.node) ?? [];
  const more = (options.data?.clients.totalCount ?? 0) > clients.length;

  return (
    <>
      <PageHeader
        title="Agents"
        description="Agents of every client you can see. Agents of clients whose database is not ready are not listed."
        actions={
          clientId &&
          canManageClient(user, clientId) && (
            <Link className="button primary" to={`/clients/${clientId}/agents/new`}>
              New agent
            </Link>
          )
        }
      />
      <div className="form-grid" style={{ marginBottom: '1rem' }}>
        <SelectField
          label="Client"
          value={clientId}
          hint={more ? `Showing the first ${clientOptionLimit} ready clients.` : undefined}
          onChange={(e) =>
            setParams((p) => {
              if (e.target.value) p.set('client', e.target.value);
              else p.delete('client');
              return p;
            })
          }
        >
          <option value="">All clients</option>
          {clients.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </SelectField>
      </div>
      {options.error && <ErrorNotice error={options.error} action="load the client list" />}
      {clientId ? (
        <Card>
          <AgentsOfClient key={clientId} clientId={clientId} />
        </Card>
      ) : (
        <AgentsOfAllClients />
      )}
    </>
  );
}

/** Agents grouped by client, paginated by client on the server. */
function AgentsOfAllClients() {
  const pager = useCursorPager();
  const [result, refetch] = useQuery({
    query: AgentsByClientQuery,
    variables: { first: clientsPerPage, after: pager.after, agentsPerClient },
  });
  const connection = result.data?.clients;

  if (result.error && !connection) {
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
    return (
      <Card>
        <EmptyState title="No ready clients">
          Agents appear here once a client's database is ready. <Link to="/clients">Go to clients</Link>
        </EmptyState>
      </Card>
    );
  }
  return (
    <>
      {result.error && <ErrorNotice error={result.error} action="load the agents of some clients" />}
      {connection.edges.map(({ node: client }) => (
        <Card
          key={client.id}
          title={<Link to={`/clients/${client.id}/agents`}>{client.name}</Link>}
          description={`${client.agents.totalCount} agent${client.agents.totalCount === 1 ? '' : 's'}`}
          actions={
            client.agents.totalCount > client.agents.edges.length && (
              <Link to={`/agents?client=${client.id}`}>Show all {client.agents.totalCount}</Link>
            )
          }
        >
          {client.agents.totalCount === 0 ? (
            <p className="muted">No agents yet.</p>
          ) : (
            <AgentTable agents={client.agents.edges.map((e) => e.node)} />
          )}
        </Card>
      ))}
      <Pagination
        noun="clients"
        page={pager.page}
        pageSize={clientsPerPage}
        shown={connection.edges.length}
        total={connection.totalCount}
        hasNext={connection.pageInfo.hasNextPage}
        onNext={() => pager.next(connection.pageInfo.endCursor)}
        onPrevious={pager.previous}
      />
    </>
  );
}
