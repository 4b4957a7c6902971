import { CombinedError } from 'urql';

import { HttpError, NetworkError } from '@/lib/http';

/**
 * The one place that turns server and network errors into what the user
 * reads: what failed, and what to do about it. Every page shows errors
 * through describeError (or fieldErrors for forms), never raw messages.
 */
export type ProblemKind =
  | 'unauthenticated'
  | 'forbidden'
  | 'notFound'
  | 'invalid'
  | 'conflict'
  | 'notReady'
  | 'unavailable'
  | 'rateLimited'
  | 'upstream'
  | 'notConfigured'
  | 'network'
  | 'internal';

export interface Problem {
  kind: ProblemKind;
  /** Stable server code such as INVALID_INPUT, when the server sent one. */
  code: string | undefined;
  /** Input field the server named, such as "slug" or "voice_settings.temperature". */
  field: string | undefined;
  /** "Could not <action>: <reason>." */
  message: string;
  /** Next step the user can take. */
  hint: string;
}

const kindOfCode: Record<string, ProblemKind> = {
  UNAUTHENTICATED: 'unauthenticated',
  FORBIDDEN: 'forbidden',
  NOT_FOUND: 'notFound',
  INVALID_INPUT: 'invalid',
  GRAPHQL_VALIDATION_FAILED: 'invalid',
  CONFLICT: 'conflict',
  AMBIGUOUS_AGENT: 'conflict',
  CLIENT_NOT_READY: 'notReady',
  TENANT_UNAVAILABLE: 'unavailable',
  RATE_LIMITED: 'rateLimited',
  UPSTREAM_FAILED: 'upstream',
  UPSTREAM_TIMEOUT: 'upstream',
  NOT_CONFIGURED: 'notConfigured',
  COMPLEXITY_LIMIT_EXCEEDED: 'invalid',
};

const kindOfStatus: Record<number, ProblemKind> = {
  400: 'invalid',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'notFound',
  409: 'conflict',
  429: 'rateLimited',
  502: 'upstream',
  503: 'unavailable',
  504: 'upstream',
};

const hints: Record<ProblemKind, string> = {
  unauthenticated: 'Your session has ended. Sign in again.',
  forbidden: 'Your account may not do this. Ask a platform admin or an admin of this client.',
  notFound: 'It may have been deleted, or your account has no access to it.',
  invalid: 'Correct the value and submit again.',
  conflict: 'Choose another value: this one is already taken.',
  notReady:
    'The client database is not ready yet. Wait for provisioning to finish, or retry it on the client page.',
  unavailable: 'The database or service is unreachable. Try again in a minute.',
  rateLimited: 'Too many attempts. Wait a moment, then try again.',
  upstream:
    "The AI provider failed or timed out. Check the client's provider key and the agent's model, then try again.",
  notConfigured: 'A required setting is missing. Set it on the client page, then try again.',
  network: 'The server did not respond. Check that Sidekick Forge is running and reachable, then try again.',
  internal: 'The server logged the details. Try again, and tell your operator if it keeps failing.',
};

interface RawProblem {
  kind: ProblemKind;
  code: string | undefined;
  field: string | undefined;
  reason: string;
}

/** Describes error as what failed while doing action ("load clients"). */
export function describeError(error: unknown, action: string): Problem {
  const raw = rawProblem(error);
  let hint = hints[raw.kind];
  if (raw.kind === 'forbidden' && /csrf/i.test(raw.reason)) {
    hint = 'Reload the page and try again.';
  }
  return {
    kind: raw.kind,
    code: raw.code,
    field: raw.field,
    message: `Could not ${action}: ${sentence(raw.reason)}`,
    hint,
  };
}

/**
 * Maps every server error that names an input field to its message, for
 * showing next to that field. Field names are the server's (snake_case).
 */
export function fieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(error instanceof CombinedError)) return out;
  for (const e of error.graphQLErrors) {
    const field = e.extensions?.field;
    if (typeof field === 'string' && field !== '' && out[field] === undefined) {
      out[field] = e.message.startsWith(`${field}: `) ? e.message.slice(field.length + 2) : e.message;
    }
  }
  return out;
}

/** Reports whether error means the object does not exist or is hidden from the caller. */
export function isNotFound(error: unknown): boolean {
  return rawProblem(error).kind === 'notFound';
}

/** Reports whether error means the session is missing or expired. */
export function isUnauthenticated(error: unknown): boolean {
  return rawProblem(error).kind === 'unauthenticated';
}

function rawProblem(error: unknown): RawProblem {
  if (error instanceof CombinedError) return combinedProblem(error);
  if (error instanceof HttpError) {
    const kind = (error.code && kindOfCode[error.code]) || kindOfStatus[error.status] || 'internal';
    let reason = error.message;
    if (error.retryAfterSeconds !== undefined) {
      reason += ` (retry in ${error.retryAfterSeconds} s)`;
    }
    return { kind, code: error.code, field: undefined, reason };
  }
  if (error instanceof NetworkError) {
    return { kind: 'network', code: undefined, field: undefined, reason: 'the server is unreachable' };
  }
  const reason = error instanceof Error ? error.message : String(error);
  return { kind: 'internal', code: undefined, field: undefined, reason };
}

function combinedProblem(error: CombinedError): RawProblem {
  const first = error.graphQLErrors[0];
  if (first) {
    const code = typeof first.extensions?.code === 'string' ? first.extensions.code : undefined;
    const field = typeof first.extensions?.field === 'string' ? first.extensions.field : undefined;
    const kind = (code && kindOfCode[code]) || 'internal';
    return { kind, code, field, reason: first.message };
  }
  const status = error.response instanceof Response ? error.response.status : undefined;
  if (status !== undefined && status >= 400) {
    const kind = kindOfStatus[status] ?? 'internal';
    return { kind, code: undefined, field: undefined, reason: `the server answered ${status}` };
  }
  return { kind: 'network', code: undefined, field: undefined, reason: 'the server is unreachable' };
}

function sentence(reason: string): string {
  const trimmed = reason.trim().replace(/^\[(GraphQL|Network)\]\s*/, '');
  return /[.!?)]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/**
 * Reports whether error should be shown as a notice: it exists and names no
 * field among shownFields, which the form already shows next to the input.
 */
export function needsNotice(error: unknown, shownFields: readonly string[]): boolean {
  if (!error) return false;
  const fields = Object.keys(fieldErrors(error));
  return !fields.some((f) => shownFields.includes(f));
}
