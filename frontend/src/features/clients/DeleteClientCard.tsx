import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useMutation } from 'urql';

import { Button } from '@/components/Button';
import { CheckboxField } from '@/components/Field';
import { ErrorNotice } from '@/components/Notice';
import { Card } from '@/components/PageHeader';

import { DeleteClientMutation } from './api';
import type { ClientDetail } from './ClientLayout';

export function DeleteClientCard({ client }: { client: ClientDetail }) {
  const navigate = useNavigate();
  const [dropDatabase, setDropDatabase] = useState(false);
  const [result, deleteClient] = useMutation(DeleteClientMutation);

  async function onDelete() {
    const what = dropDatabase ? 'and drop its database' : 'and keep its database';
    if (!window.confirm(`Delete ${client.name} ${what}? This cannot be undone.`)) return;
    const res = await deleteClient({ id: client.id, dropDatabase });
    if (res.data) navigate('/clients');
  }

  return (
    <Card title="Delete client" labelledBy="delete-heading">
      {result.error && <ErrorNotice error={result.error} action="delete the client" />}
      <div className="spread">
        {client.databaseMode === 'MANAGED' ? (
          <CheckboxField
            label="Also drop the managed database"
            hint="Without this, the database stays on the tenant server."
            checked={dropDatabase}
            onChange={(e) => setDropDatabase(e.target.checked)}
          />
        ) : (
          <p className="muted">The external database is left as it is.</p>
        )}
        <Button variant="danger" busy={result.fetching} onClick={() => void onDelete()}>
          Delete client
        </Button>
      </div>
    </Card>
  );
}
