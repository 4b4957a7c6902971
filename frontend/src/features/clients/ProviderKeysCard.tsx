import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';

import { Button } from '@/components/Button';
import { TextField } from '@/components/Field';
import { ErrorNotice, Notice } from '@/components/Notice';
import { Card } from '@/components/PageHeader';
import { fieldErrors, needsNotice } from '@/lib/errors';
import { formatDateTime, maskSecret } from '@/lib/format';

import { RemoveProviderKeyMutation, SetProviderKeyMutation } from './api';
import type { ClientDetail } from './ClientLayout';

type ProviderKey = ClientDetail['providerKeys'][number];

export function ProviderKeysCard({ client, canManage }: { client: ClientDetail; canManage: boolean }) {
  const [editing, setEditing] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [removal, removeProviderKey] = useMutation(RemoveProviderKeyMutation);

  async function remove(provider: string) {
    if (!window.confirm(`Remove the ${provider} key of ${client.name}? Agents using it stop working.`)) {
      return;
    }
    const res = await removeProviderKey({ clientId: client.id, provider });
    if (!res.error) setSaved(`The ${provider} key was removed.`);
  }

  return (
    <Card
      title="Provider keys"
      labelledBy="provider-keys-heading"
      description="API keys are write-only: after saving, only the last four characters are shown."
    >
      {saved && <Notice tone="success">{saved}</Notice>}
      {removal.error && <ErrorNotice error={removal.error} action="remove the key" />}
      <div className="table-wrap">
        <table className="responsive">
          <thead>
            <tr>
              <th scope="col">Provider</th>
              <th scope="col">Key</th>
              <th scope="col">Base URL</th>
              <th scope="col">Updated</th>
              {canManage && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {client.providerKeys.map((key) => (
              <tr key={key.provider} data-testid={`provider-${key.provider}`}>
                <td data-label="Provider">{key.provider}</td>
                <td data-label="Key" className="mono">
                  {key.configured ? maskSecret(key.last4) : <span className="muted">Not set</span>}
                </td>
                <td data-label="Base URL">{key.baseUrl || <span className="muted">Default</span>}</td>
                <td data-label="Updated">{formatDateTime(key.updatedAt)}</td>
                {canManage && (
                  <td data-label="Actions">
                    <div className="actions">
                      <Button
                        size="small"
                        aria-label={`${key.configured ? 'Replace' : 'Set'} ${key.provider} key`}
                        onClick={() => {
                          setSaved(null);
                          setEditing(key.provider);
                        }}
                      >
                        {key.configured ? 'Replace' : 'Set'}
                      </Button>
                      {key.configured && (
                        <Button
                          size="small"
                          variant="danger"
                          aria-label={`Remove ${key.provider} key`}
                          onClick={() => void remove(key.provider)}
                        >
                          Remove
                        </Button>
                      )}
                    </div>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {editing && (
        <ProviderKeyForm
          key={editing}
          clientId={client.id}
          current={client.providerKeys.find((k) => k.provider === editing)}
          provider={editing}
          onDone={(message) => {
            setEditing(null);
            setSaved(message);
          }}
        />
      )}
    </Card>
  );
}

function ProviderKeyForm({
  clientId,
  provider,
  current,
  onDone,
}: {
  clientId: string;
  provider: string;
  current: ProviderKey | undefined;
  onDone: (message: string | null) => void;
}) {
  const [key, setKey] = useState('');
  const [baseUrl, setBaseUrl] = useState(current?.baseUrl ?? '');
  const [result, setProviderKey] = useMutation(SetProviderKeyMutation);
  const errors = fieldErrors(result.error);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const res = await setProviderKey({
      clientId,
      provider,
      key: key.trim(),
      baseUrl: baseUrl.trim() || null,
    });
    if (res.data) {
      setKey('');
      onDone(`The ${provider} key was saved; it ends in ${res.data.setProviderKey.last4 ?? '(hidden)'}.`);
    }
  }

  return (
    <form className="form card" style={{ marginTop: '1rem' }} onSubmit={submit} aria-label={`${provider} key`}>
      <h3>{current?.configured ? `Replace the ${provider} key` : `Set the ${provider} key`}</h3>
      {needsNotice(result.error, ['key', 'baseUrl']) && (
        <ErrorNotice error={result.error} action={`save the ${provider} key`} />
      )}
      <TextField
        label={`${provider} API key`}
        type="password"
        name="key"
        autoComplete="off"
        required
        value={key}
        error={errors.key}
        onChange={(e) => setKey(e.target.value)}
      />
      <TextField
        label="Base URL"
        type="url"
        name="baseUrl"
        hint="Only for self-hosted or proxied endpoints; leave empty for the provider's default."
        value={baseUrl}
        error={errors.baseUrl}
        onChange={(e) => setBaseUrl(e.target.value)}
      />
      <div className="actions">
        <Button type="submit" variant="primary" busy={result.fetching} disabled={!key.trim()}>
          Save key
        </Button>
        <Button onClick={() => onDone(null)}>Cancel</Button>
      </div>
    </form>
  );
}
