import { GraphQLError } from 'graphql';
import { CombinedError } from 'urql';
import { describe, expect, it } from 'vitest';

import { describeError, fieldErrors, isUnauthenticated, needsNotice } from './errors';
import { HttpError, NetworkError } from './http';

function graphQLFailure(message: string, extensions: Record<string, unknown>): CombinedError {
  return new CombinedError({ graphQLErrors: [new GraphQLError(message, { extensions })] });
}

describe('describeError', () => {
  it('names the action and the server reason', () => {
    const error = graphQLFailure('client not found', { code: 'NOT_FOUND' });

    const problem = describeError(error, 'load the client');

    expect(problem.message).toBe('Could not load the client: client not found.');
    expect(problem.kind).toBe('notFound');
    expect(problem.hint).toMatch(/deleted, or your account has no access/);
  });

  it.each([
    ['CLIENT_NOT_READY', 'notReady'],
    ['UPSTREAM_FAILED', 'upstream'],
    ['UPSTREAM_TIMEOUT', 'upstream'],
    ['TENANT_UNAVAILABLE', 'unavailable'],
    ['CONFLICT', 'conflict'],
    ['SOMETHING_NEW', 'internal'],
  ])('maps code %s to kind %s', (code, kind) => {
    expect(describeError(graphQLFailure('x', { code }), 'do it').kind).toBe(kind);
  });

  it('explains an unreachable server', () => {
    const problem = describeError(new NetworkError(new TypeError('Failed to fetch')), 'sign in');

    expect(problem.kind).toBe('network');
    expect(problem.message).toBe('Could not sign in: the server is unreachable.');
    expect(problem.hint).toMatch(/running and reachable/);
  });

  it('shows the wait of a rate-limited login', () => {
    const problem = describeError(new HttpError(429, 'too many attempts', 'RATE_LIMITED', 30), 'sign in');

    expect(problem.kind).toBe('rateLimited');
    expect(problem.message).toBe('Could not sign in: too many attempts (retry in 30 s)');
  });

  it('tells to reload after a CSRF rejection', () => {
    const problem = describeError(new HttpError(403, 'missing CSRF token', 'FORBIDDEN'), 'save');

    expect(problem.hint).toBe('Reload the page and try again.');
  });

  it('uses the HTTP status when a GraphQL response has no errors', () => {
    const error = new CombinedError({
      networkError: new Error('Forbidden'),
      response: new Response('{}', { status: 403 }),
    });

    expect(describeError(error, 'load clients').kind).toBe('forbidden');
  });
});

describe('fieldErrors', () => {
  it('keys messages by the server field without repeating its name', () => {
    const error = new CombinedError({
      graphQLErrors: [
        new GraphQLError('slug: "Bad Slug" must be lowercase', {
          extensions: { code: 'INVALID_INPUT', field: 'slug' },
        }),
        new GraphQLError('voice_settings.temperature: is 3; it must be between 0 and 2', {
          extensions: { code: 'INVALID_INPUT', field: 'voice_settings.temperature' },
        }),
      ],
    });

    const errors = fieldErrors(error);

    expect(errors.slug).toBe('"Bad Slug" must be lowercase');
    expect(errors['voice_settings.temperature']).toBe('is 3; it must be between 0 and 2');
  });

  it('returns nothing for errors without a field', () => {
    expect(fieldErrors(graphQLFailure('internal error', { code: 'INTERNAL' }))).toEqual({});
  });
});

describe('needsNotice', () => {
  const slugError = graphQLFailure('slug: taken', { code: 'CONFLICT', field: 'slug' });

  it('is false when the form shows the field', () => {
    expect(needsNotice(slugError, ['slug', 'name'])).toBe(false);
  });

  it('is true when the field is not on the form', () => {
    expect(needsNotice(slugError, ['name'])).toBe(true);
  });

  it('is false without an error', () => {
    expect(needsNotice(undefined, ['name'])).toBe(false);
  });
});

describe('isUnauthenticated', () => {
  it('detects the GraphQL code', () => {
    expect(isUnauthenticated(graphQLFailure('authentication required', { code: 'UNAUTHENTICATED' }))).toBe(true);
  });

  it('detects an HTTP 401', () => {
    expect(isUnauthenticated(new HttpError(401, 'no session'))).toBe(true);
  });

  it('ignores a forbidden caller', () => {
    expect(isUnauthenticated(graphQLFailure('no', { code: 'FORBIDDEN' }))).toBe(false);
  });
});
