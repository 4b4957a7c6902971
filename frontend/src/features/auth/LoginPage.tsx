import { useState, type FormEvent } from 'react';
import { Navigate, useSearchParams } from 'react-router';

import { Button } from '@/components/Button';
import { TextField } from '@/components/Field';
import { ErrorNotice, Notice } from '@/components/Notice';
import { useSession } from '@/lib/session/context';

/** Returns next when it is a path inside the SPA, so login cannot redirect elsewhere. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/login')) {
    return '/';
  }
  return next;
}

export function LoginPage() {
  const { state, signIn } = useSession();
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  if (state.status === 'signedIn') {
    return <Navigate to={safeNext(params.get('next'))} replace />;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
    } catch (err) {
      setError(err);
      setPassword('');
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <div className="card">
        <div className="row" style={{ marginBottom: '1rem' }}>
          <img src={`${import.meta.env.BASE_URL}favicon.svg`} alt="" width={32} height={32} />
          <div>
            <h1>Sign in</h1>
            <p className="muted" style={{ margin: 0 }}>
              Sidekick Forge admin
            </p>
          </div>
        </div>
        {params.get('expired') === '1' && !error && (
          <Notice tone="warning">Your session has ended. Sign in again to continue.</Notice>
        )}
        {error !== null && <ErrorNotice error={error} action="sign in" />}
        <form className="form" onSubmit={submit} noValidate={false}>
          <TextField
            label="Email"
            type="email"
            name="email"
            autoComplete="username"
            required
            autoFocus
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <TextField
            label="Password"
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <Button type="submit" variant="primary" busy={busy}>
            Sign in
          </Button>
        </form>
      </div>
    </main>
  );
}
