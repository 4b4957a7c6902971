import { useMutation } from 'urql';

import { Button } from '@/components/Button';
import { ErrorNotice, Notice } from '@/components/Notice';
import { Card } from '@/components/PageHeader';
import { StatusBadge } from '@/components/StatusBadge';
import { formatDateTime } from '@/lib/format';

import { RetryProvisioningMutation } from './api';
import type { ClientDetail } from './ClientLayout';

const explanation = {
  PENDING: 'Waiting to start provisioning. This page updates by itself.',
  PROVISIONING: 'Creating and migrating the database. This page updates by itself.',
  READY: 'The database is ready and the client serves requests.',
  FAILED: 'Provisioning failed. Fix the cause below, then retry.',
} as const;

export function ProvisioningCard({
  client,
  canManage,
  onChanged,
}: {
  client: ClientDetail;
  canManage: boolean;
  onChanged: () => void;
}) {
  const [retry, retryProvisioning] = useMutation(RetryProvisioningMutation);
  const status = client.provisioningStatus;

  async function onRetry() {
    const res = await retryProvisioning({ id: client.id });
    if (!res.error) onChanged();
  }

  return (
    <Card
      title="Database"
      labelledBy="database-heading"
      actions={
        canManage &&
        status === 'FAILED' && (
          <Button variant="primary" busy={retry.fetching} onClick={() => void onRetry()}>
            Retry provisioning
          </Button>
        )
      }
    >
      <div aria-live="polite">
        <p className="row" data-testid="provisioning-status">
          <StatusBadge status={status} /> <span className="muted">{explanation[status]}</span>
        </p>
        {status === 'FAILED' && client.provisioningError && (
          <Notice tone="error">
            <p>
              <strong>Error:</strong> {client.provisioningError}
            </p>
          </Notice>
        )}
      </div>
      {retry.error && <ErrorNotice error={retry.error} action="retry provisioning" />}
      <dl className="kv">
        <dt>Mode</dt>
        <dd>{client.databaseMode === 'MANAGED' ? 'Managed by the platform' : 'External (client-owned)'}</dd>
        <dt>Schema version</dt>
        <dd>{client.schemaVersion}</dd>
        <dt>Client id</dt>
        <dd className="mono">{client.id}</dd>
        <dt>Created</dt>
        <dd>{formatDateTime(client.createdAt)}</dd>
        <dt>Updated</dt>
        <dd>{formatDateTime(client.updatedAt)}</dd>
      </dl>
    </Card>
  );
}
