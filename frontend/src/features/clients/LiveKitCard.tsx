import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';

import { Button } from '@/components/Button';
import { TextField } from '@/components/Field';
import { ErrorNotice, Notice } from '@/components/Notice';
import { Card } from '@/components/PageHeader';
import { Flag } from '@/components/StatusBadge';
import { fieldErrors, needsNotice } from '@/lib/errors';

import { SetLiveKitConfigMutation } from './api';
import type { ClientDetail } from './ClientLayout';

const fields = ['url', 'apiKey', 'apiSecret', 'agentName'];

export function LiveKitCard({ client, canManage }: { client: ClientDetail; canManage: boolean }) {
  const lk = client.livekit;
  const [editing, setEditing] = useState(false);
  const [url, setUrl] = useState(lk.url ?? '');
  const [apiKey, setApiKey] = useState('');
  const [apiSecret, setApiSecret] = useState('');
  const [agentName, setAgentName] = useState(lk.agentName ?? '');
  const [saved, setSaved] = useState(false);
  const [result, setLiveKitConfig] = useMutation(SetLiveKitConfigMutation);
  const errors = fieldErrors(result.error);

  async function submit(event: FormEvent) {
    event.preventDefault();
    // Empty secret fields keep the stored values: they are never sent back.
    const res = await setLiveKitConfig({
      clientId: client.id,
      input: {
        url: url.trim(),
        agentName: agentName.trim(),
        ...(apiKey.trim() ? { apiKey: apiKey.trim() } : {}),
        ...(apiSecret ? { apiSecret } : {}),
      },
    });
    if (res.data) {
      setApiKey('');
      setApiSecret('');
      setEditing(false);
      setSaved(true);
    }
  }

  return (
    <Card
      title="LiveKit"
      labelledBy="livekit-heading"
      description="The LiveKit server that voice and video sessions of this client use."
      actions={
        canManage &&
        !editing && (
          <Button
            onClick={() => {
              setSaved(false);
              setEditing(true);
            }}
          >
            Edit LiveKit settings
          </Button>
        )
      }
    >
      {saved && <Notice tone="success">LiveKit settings saved.</Notice>}
      <dl className="kv">
        <dt>Voice available</dt>
        <dd>
          <Flag on={lk.available} onLabel="Available" offLabel="Unavailable" />
        </dd>
        <dt>Own settings</dt>
        <dd>{lk.configured ? 'Yes' : 'No: the platform defaults apply'}</dd>
        <dt>Server URL</dt>
        <dd className="mono">{lk.url || '—'}</dd>
        <dt>API key</dt>
        <dd className="mono">{lk.apiKey || '—'}</dd>
        <dt>Agent name</dt>
        <dd className="mono">{lk.agentName || '—'}</dd>
      </dl>
      {editing && (
        <form className="form" style={{ marginTop: '1rem' }} onSubmit={submit} aria-label="LiveKit settings">
          {needsNotice(result.error, fields) && (
            <ErrorNotice error={result.error} action="save the LiveKit settings" />
          )}
          <TextField
            label="Server URL"
            name="url"
            placeholder="wss://livekit.example.com"
            value={url}
            error={errors.url}
            onChange={(e) => setUrl(e.target.value)}
          />
          <div className="form-grid">
            <TextField
              label="API key"
              name="apiKey"
              autoComplete="off"
              hint="Leave empty to keep the current key."
              value={apiKey}
              error={errors.apiKey}
              onChange={(e) => setApiKey(e.target.value)}
            />
            <TextField
              label="API secret"
              name="apiSecret"
              type="password"
              autoComplete="off"
              hint="Write-only. Leave empty to keep the current secret."
              value={apiSecret}
              error={errors.apiSecret}
              onChange={(e) => setApiSecret(e.target.value)}
            />
          </div>
          <TextField
            label="Agent name"
            name="agentName"
            hint="Name the agent workers register with; dispatches target it."
            value={agentName}
            error={errors.agentName}
            onChange={(e) => setAgentName(e.target.value)}
          />
          <div className="actions">
            <Button type="submit" variant="primary" busy={result.fetching}>
              Save LiveKit settings
            </Button>
            <Button onClick={() => setEditing(false)}>Cancel</Button>
          </div>
        </form>
      )}
    </Card>
  );
}
