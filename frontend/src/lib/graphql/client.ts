import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import {
  Client,
  cacheExchange,
  fetchExchange,
  mapExchange,
  subscriptionExchange,
  type Exchange,
} from 'urql';

import { isUnauthenticated } from '@/lib/errors';

export interface GraphQLClientOptions {
  /** CSRF token of the session, sent with every request. */
  csrfToken: string;
  /** Called once per failed operation whose error means the session ended. */
  onUnauthenticated: () => void;
  /** Origin of the server; defaults to the page's own. */
  origin?: string;
}

/**
 * The query-client policy of the whole SPA, in one place:
 * - cookies go with every request, and the CSRF token in X-CSRF-Token
 *   (HTTP) or the connection_init payload (websocket);
 * - nothing is retried automatically (there is no retry exchange), so a
 *   401 or 403 is never repeated;
 * - an unauthenticated error anywhere ends the session and sends the user to
 *   the login page;
 * - every other error goes to the page that asked, which shows it through
 *   describeError.
 */
export function createGraphQLClient(options: GraphQLClientOptions): {
  client: Client;
  dispose: () => void;
} {
  const origin = options.origin ?? window.location.origin;
  const ws = createSubscriptionClient(origin, options.csrfToken);

  const client = new Client({
    url: `${origin}/graphql`,
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    fetchOptions: () => ({
      credentials: 'same-origin',
      headers: { 'X-CSRF-Token': options.csrfToken },
    }),
    exchanges: [
      unauthenticatedExchange(options.onUnauthenticated),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });

  return { client, dispose: () => void ws.dispose() };
}

function unauthenticatedExchange(onUnauthenticated: () => void): Exchange {
  return mapExchange({
    onError(error) {
      if (isUnauthenticated(error)) onUnauthenticated();
    },
  });
}

/** Close codes after which reconnecting cannot help: the server rejected the caller. */
const rejectedCloseCodes = new Set([4400, 4401, 4403]);

function createSubscriptionClient(origin: string, csrfToken: string): WsClient {
  const url = `${origin.replace(/^http/, 'ws')}/graphql`;
  return createWsClient({
    url,
    lazy: true,
    connectionParams: () => ({ csrfToken }),
    retryAttempts: 3,
    shouldRetry: (event) =>
      !(typeof event === 'object' && event !== null && 'code' in event &&
        rejectedCloseCodes.has(Number((event as { code: unknown }).code))),
  });
}
