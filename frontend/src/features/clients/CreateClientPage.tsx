import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation } from 'urql';

import { Button } from '@/components/Button';
import { TextField } from '@/components/Field';
import { ErrorNotice } from '@/components/Notice';
import { Card, PageHeader } from '@/components/PageHeader';
import type { DatabaseMode } from '@/gql/graphql';
import { fieldErrors, needsNotice } from '@/lib/errors';

import { CreateClientMutation } from './api';

export function CreateClientPage() {
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [mode, setMode] = useState<DatabaseMode>('MANAGED');
  const [dsn, setDsn] = useState('');
  const [result, createClient] = useMutation(CreateClientMutation);
  const errors = fieldErrors(result.error);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const res = await createClient({
      input: {
        name: name.trim(),
        slug: slug.trim() || null,
        databaseMode: mode,
        externalDsn: mode === 'EXTERNAL' ? dsn.trim() : null,
      },
    });
    if (res.data) navigate(`/clients/${res.data.createClient.id}`);
  }

  return (
    <>
      <PageHeader
        title="New client"
        breadcrumb={<Link to="/clients">Clients</Link>}
        description="The platform creates or connects the client's database, then migrates it."
      />
      <Card>
        {needsNotice(result.error, ['name', 'slug', 'externalDsn']) && (
          <ErrorNotice error={result.error} action="create the client" />
        )}
        <form className="form" onSubmit={submit}>
          <TextField
            label="Name"
            name="name"
            required
            value={name}
            error={errors.name}
            onChange={(e) => setName(e.target.value)}
          />
          <TextField
            label="Slug"
            name="slug"
            hint="Lowercase letters, digits and hyphens. Leave empty to derive it from the name."
            value={slug}
            error={errors.slug}
            onChange={(e) => setSlug(e.target.value)}
          />
          <fieldset>
            <legend>Database</legend>
            <div className="stack">
              <label className="check">
                <input
                  type="radio"
                  name="databaseMode"
                  value="MANAGED"
                  checked={mode === 'MANAGED'}
                  onChange={() => setMode('MANAGED')}
                />
                <span>
                  Managed
                  <span className="hint">The platform creates a database on its tenant server.</span>
                </span>
              </label>
              <label className="check">
                <input
                  type="radio"
                  name="databaseMode"
                  value="EXTERNAL"
                  checked={mode === 'EXTERNAL'}
                  onChange={() => setMode('EXTERNAL')}
                />
                <span>
                  External
                  <span className="hint">The client brings its own PostgreSQL database.</span>
                </span>
              </label>
              {mode === 'EXTERNAL' && (
                <TextField
                  label="PostgreSQL DSN"
                  name="externalDsn"
                  type="password"
                  autoComplete="off"
                  required
                  placeholder="postgres://user:password@host:5432/database"
                  hint="Stored encrypted and never shown again."
                  value={dsn}
                  error={errors.externalDsn}
                  onChange={(e) => setDsn(e.target.value)}
                />
              )}
            </div>
          </fieldset>
          <div className="actions">
            <Button type="submit" variant="primary" busy={result.fetching}>
              Create client
            </Button>
            <Link className="button secondary" to="/clients">
              Cancel
            </Link>
          </div>
        </form>
      </Card>
    </>
  );
}
