import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useQuery } from 'urql';

import { EmptyState } from '@/components/EmptyState';
import { SelectField, TextField } from '@/components/Field';
import { Loading } from '@/components/Loading';
import { ErrorNotice } from '@/components/Notice';
import { PageHeader } from '@/components/PageHeader';
import { Pagination, useCursorPager } from '@/components/Pagination';
import { StatusBadge } from '@/components/StatusBadge';
import type { ProvisioningStatus } from '@/gql/graphql';
import { formatDateTime } from '@/lib/format';
import { useCurrentUser } from '@/lib/session/context';

import { ClientsQuery } from './api';

const pageSize = 20;
const statuses: ProvisioningStatus[] = ['PENDING', 'PROVISIONING', 'READY', 'FAILED'];

function parseStatus(value: string | null): ProvisioningStatus | null {
  return statuses.find((s) => s === value) ?? null;
}

export function ClientsPage() {
  const user = useCurrentUser();
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const status = parseStatus(params.get('status'));
  const [draft, setDraft] = useState(search);
  const pager = useCursorPager();
  const { reset } = pager;

  // Typing updates the URL after a pause, so each keystroke is not a request.
  useEffect(() => {
    const timer = window.setTimeout(() => {
      if (draft === search) return;
      setParams((p) => {
        if (draft) p.set('q', draft);
        else p.delete('q');
        return p;
      });
    }, 300);
    return () => window.clearTimeout(timer);
  }, [draft, search, setParams]);

  useEffect(() => reset(), [search, status, reset]);

  const [result, refetch] = useQuery({
    query: ClientsQuery,
    variables: { first: pageSize, after: pager.after, search: search || null, status },
  });
  const connection = result.data?.clients;

  return (
    <>
      <PageHeader
        title="Clients"
        description="Organisations on this platform, each with its own database."
        actions={
          user.platformAdmin && (
            <Link className="button primary" to="/clients/new">
              New client
            </Link>
          )
        }
      />
      <div className="form-grid" style={{ marginBottom: '1rem' }} role="search">
        <TextField
          label="Search"
          type="search"
          placeholder="Name or slug"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
        <SelectField
          label="Status"
          value={status ?? ''}
          onChange={(e) =>
            setParams((p) => {
              if (e.target.value) p.set('status', e.target.value);
              else p.delete('status');
              return p;
            })
          }
        >
          <option value="">Any status</option>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {s.charAt(0) + s.slice(1).toLowerCase()}
            </option>
          ))}
        </SelectField>
      </div>
      {result.error && (
        <ErrorNotice
          error={result.error}
          action="load clients"
          onRetry={() => refetch({ requestPolicy: 'network-only' })}
        />
      )}
      {!connection && result.fetching && <Loading label="Loading clients…" />}
      {connection && connection.totalCount === 0 && (
        <div className="card">
          <EmptyState title={search || status ? 'No matching clients' : 'No clients yet'}>
            {search || status
              ? 'Change the search or the status filter.'
              : user.platformAdmin
                ? 'Create the first client to provision its database.'
                : 'Your account is not a member of any client yet.'}
          </EmptyState>
        </div>
      )}
      {connection && connection.totalCount > 0 && (
        <>
          <div className="table-wrap">
            <table className="responsive">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Slug</th>
                  <th scope="col">Database</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {connection.edges.map(({ node }) => (
                  <tr key={node.id}>
                    <td data-label="Name">
                      <Link to={`/clients/${node.id}`}>{node.name}</Link>
                    </td>
                    <td data-label="Slug" className="mono">
                      {node.slug}
                    </td>
                    <td data-label="Database">{node.databaseMode === 'MANAGED' ? 'Managed' : 'External'}</td>
                    <td data-label="Status">
                      <StatusBadge status={node.provisioningStatus} />
                    </td>
                    <td data-label="Created">{formatDateTime(node.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination
            noun="clients"
            page={pager.page}
            pageSize={pageSize}
            shown={connection.edges.length}
            total={connection.totalCount}
            hasNext={connection.pageInfo.hasNextPage}
            onNext={() => pager.next(connection.pageInfo.endCursor)}
            onPrevious={pager.previous}
          />
        </>
      )}
    </>
  );
}
