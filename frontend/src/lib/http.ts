/**
 * Error of a non-GraphQL HTTP call (the /auth endpoints), carrying the
 * server's `{"detail","code"}` body when there is one.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, detail: string, code?: string, retryAfterSeconds?: number) {
    super(detail);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Network failure: the request never got an HTTP response. */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'NetworkError';
  }
}

/** Sends a JSON request to the server's own origin and decodes the JSON reply. */
export async function requestJSON<T>(
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? 'GET',
      credentials: 'same-origin',
      headers: {
        Accept: 'application/json',
        ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch (cause) {
    throw new NetworkError(cause);
  }
  if (!response.ok) {
    throw await httpErrorOf(response);
  }
  if (response.status === 204) {
    return undefined as T;
  }
  return (await response.json()) as T;
}

async function httpErrorOf(response: Response): Promise<HttpError> {
  let detail = `${response.status} ${response.statusText}`.trim();
  let code: string | undefined;
  try {
    const body = (await response.json()) as { detail?: unknown; code?: unknown };
    if (typeof body.detail === 'string') detail = body.detail;
    if (typeof body.code === 'string') code = body.code;
  } catch {
    // A body that is not JSON (a proxy's error page) keeps the status line.
  }
  const retryAfter = Number(response.headers.get('Retry-After'));
  return new HttpError(
    response.status,
    detail,
    code,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  );
}
