import { afterEach, describe, expect, it, vi } from 'vitest';

import { graphql } from '@/gql';

import { createGraphQLClient } from './client';

const HealthStatusQuery = graphql(`
  query HealthStatus {
    health {
      status
    }
  }
`);

function respond(body: unknown, status = 200) {
  return vi.fn().mockResolvedValue(
    new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }),
  );
}

describe('createGraphQLClient', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('sends the CSRF token and the session cookie', async () => {
    const fetch = respond({ data: { health: { __typename: 'Health', status: 'healthy' } } });
    vi.stubGlobal('fetch', fetch);
    const { client, dispose } = createGraphQLClient({ csrfToken: 'tok-1', onUnauthenticated: vi.fn() });

    await client.query(HealthStatusQuery, {}).toPromise();
    dispose();

    const [url, init] = fetch.mock.calls[0] as [string, RequestInit];
    expect(url).toBe(`${window.location.origin}/graphql`);
    expect(init.credentials).toBe('same-origin');
    expect(new Headers(init.headers).get('X-CSRF-Token')).toBe('tok-1');
  });

  it('ends the session on an unauthenticated error, once, without retrying', async () => {
    const fetch = respond({ errors: [{ message: 'authentication required', extensions: { code: 'UNAUTHENTICATED' } }] });
    vi.stubGlobal('fetch', fetch);
    const onUnauthenticated = vi.fn();
    const { client, dispose } = createGraphQLClient({ csrfToken: 't', onUnauthenticated });

    const result = await client.query(HealthStatusQuery, {}).toPromise();
    dispose();

    expect(result.error?.graphQLErrors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    expect(onUnauthenticated).toHaveBeenCalledTimes(1);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('leaves a forbidden error to the page', async () => {
    vi.stubGlobal('fetch', respond({ detail: 'CSRF token missing', code: 'FORBIDDEN' }, 403));
    const onUnauthenticated = vi.fn();
    const { client, dispose } = createGraphQLClient({ csrfToken: 't', onUnauthenticated });

    const result = await client.query(HealthStatusQuery, {}).toPromise();
    dispose();

    expect(result.error).toBeDefined();
    expect(onUnauthenticated).not.toHaveBeenCalled();
  });
});
