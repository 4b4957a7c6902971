import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';

import { Button } from '@/components/Button';
import { EmptyState } from '@/components/EmptyState';
import { TextAreaField, TextField } from '@/components/Field';
import { Loading } from '@/components/Loading';
import { ErrorNotice, Notice } from '@/components/Notice';
import { Card } from '@/components/PageHeader';
import { Flag } from '@/components/StatusBadge';
import { fieldErrors, needsNotice } from '@/lib/errors';
import { formatDateTime } from '@/lib/format';
import { canManageClient } from '@/lib/session/access';
import { useCurrentUser } from '@/lib/session/context';

import { CreateWordPressSiteMutation, RevokeWordPressSiteMutation, WordPressSitesQuery } from './api';
import { useClientOutlet } from './ClientLayout';

export function ClientSites() {
  const { client } = useClientOutlet();
  const canManage = canManageClient(useCurrentUser(), client.id);
  const [result, refetch] = useQuery({ query: WordPressSitesQuery, variables: { clientId: client.id } });
  const [revocation, revoke] = useMutation(RevokeWordPressSiteMutation);
  const [created, setCreated] = useState<{ name: string; apiKey: string } | null>(null);
  const sites = result.data?.wordpressSites;
  const reload = () => refetch({ requestPolicy: 'network-only' });

  async function onRevoke(id: string, name: string) {
    if (!window.confirm(`Revoke the key of ${name}? The site stops working until it gets a new key.`)) return;
    const res = await revoke({ clientId: client.id, id });
    if (!res.error) reload();
  }

  return (
    <>
      {created && <CreatedKey {...created} onDismiss={() => setCreated(null)} />}
      <Card
        title="WordPress sites"
        labelledBy="sites-heading"
        description="Each site holds its own access key, limited to reading and triggering agents."
      >
        {result.error && <ErrorNotice error={result.error} action="load the sites" onRetry={reload} />}
        {revocation.error && <ErrorNotice error={revocation.error} action="revoke the key" />}
        {!sites && result.fetching && <Loading label="Loading sites…" />}
        {sites && sites.length === 0 && (
          <EmptyState title="No sites yet">Add a site to give its WordPress plugin an access key.</EmptyState>
        )}
        {sites && sites.length > 0 && (
          <div className="table-wrap">
            <table className="responsive">
              <thead>
                <tr>
                  <th scope="col">Site</th>
                  <th scope="col">Key</th>
                  <th scope="col">Allowed origins</th>
                  <th scope="col">Last used</th>
                  <th scope="col">State</th>
                  {canManage && <th scope="col">Actions</th>}
                </tr>
              </thead>
              <tbody>
                {sites.map((site) => (
                  <tr key={site.id}>
                    <td data-label="Site">
                      {site.name}
                      <br />
                      <span className="muted">{site.domain}</span>
                    </td>
                    <td data-label="Key" className="mono">
                      {site.keyPrefix}…
                    </td>
                    <td data-label="Allowed origins">{site.allowedOrigins.join(', ') || '—'}</td>
                    <td data-label="Last used">{formatDateTime(site.lastUsedAt)}</td>
                    <td data-label="State">
                      <Flag on={!site.revoked} onLabel="Active" offLabel="Revoked" />
                    </td>
                    {canManage && (
                      <td data-label="Actions">
                        {!site.revoked && (
                          <Button
                            size="small"
                            variant="danger"
                            aria-label={`Revoke key of ${site.name}`}
                            onClick={() => void onRevoke(site.id, site.name)}
                          >
                            Revoke
                          </Button>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      {canManage && (
        <NewSiteForm
          clientId={client.id}
          onCreated={(name, apiKey) => {
            setCreated({ name, apiKey });
            reload();
          }}
        />
      )}
    </>
  );
}

function CreatedKey({ name, apiKey, onDismiss }: { name: string; apiKey: string; onDismiss: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <Notice tone="success">
      <p>
        <strong>The access key of {name} is shown only now.</strong> Copy it into the site's
        plugin settings; the server keeps only its hash.
      </p>
      <div className="secret">
        <code data-testid="new-site-key">{apiKey}</code>
        <Button
          size="small"
          onClick={() =>
            void navigator.clipboard?.writeText(apiKey).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </div>
      <div className="actions">
        <Button size="small" onClick={onDismiss}>
          I have stored the key
        </Button>
      </div>
    </Notice>
  );
}

function NewSiteForm({
  clientId,
  onCreated,
}: {
  clientId: string;
  onCreated: (name: string, apiKey: string) => void;
}) {
  const [name, setName] = useState('');
  const [domain, setDomain] = useState('');
  const [origins, setOrigins] = useState('');
  const [result, createSite] = useMutation(CreateWordPressSiteMutation);
  const errors = fieldErrors(result.error);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const allowedOrigins = origins
      .split(/[\s,]+/)
      .map((o) => o.trim())
      .filter(Boolean);
    const res = await createSite({
      clientId,
      input: { name: name.trim(), domain: domain.trim(), allowedOrigins },
    });
    if (res.data) {
      onCreated(res.data.createWordPressSite.site.name, res.data.createWordPressSite.apiKey);
      setName('');
      setDomain('');
      setOrigins('');
    }
  }

  return (
    <Card title="Add a site" labelledBy="new-site-heading">
      <form className="form" onSubmit={submit}>
        {needsNotice(result.error, ['name', 'domain', 'allowedOrigins']) && (
          <ErrorNotice error={result.error} action="add the site" />
        )}
        <div className="form-grid">
          <TextField
            label="Site name"
            name="name"
            required
            value={name}
            error={errors.name}
            onChange={(e) => setName(e.target.value)}
          />
          <TextField
            label="Domain"
            name="domain"
            required
            placeholder="example.com"
            value={domain}
            error={errors.domain}
            onChange={(e) => setDomain(e.target.value)}
          />
        </div>
        <TextAreaField
          label="Allowed origins"
          name="allowedOrigins"
          rows={2}
          placeholder="https://example.com"
          hint="Browser origins that may call the API with this key, one per line. Browsers on other origins are refused."
          value={origins}
          error={errors.allowedOrigins}
          onChange={(e) => setOrigins(e.target.value)}
        />
        <div className="actions">
          <Button type="submit" variant="primary" busy={result.fetching}>
            Create site key
          </Button>
        </div>
      </form>
    </Card>
  );
}
