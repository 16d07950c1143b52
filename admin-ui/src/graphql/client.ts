// The one GraphQL client: same-origin POSTs to /graphql with the HttpOnly session cookie.
// urql's document cache refetches every query whose result holds a __typename a mutation
// returned (Order, PostsalesAction, User, ...), so screens show the order as it is after an
// action. Subscriptions (live updates) go over one WebSocket per session at the same URL
// (graphql-transport-ws, the `graphql-ws` client; the session cookie goes with the handshake),
// opened on the first subscription and closed (lazy) when none is left.
import { createClient as createWSClient, type Client as WSClient } from 'graphql-ws';
import { cacheExchange, Client, fetchExchange, mapExchange, subscriptionExchange } from 'urql';

/** ws(s)://<this host>/graphql. */
function socketUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/graphql`;
}

function createSocket(onUnauthenticated: () => void): WSClient {
  return createWSClient({
    url: socketUrl(),
    lazy: true,
    retryAttempts: 5,
    // 4403: signed out, expired or deactivated: sign in again, don't retry.
    shouldRetry: (event) => !(event instanceof CloseEvent && event.code === 4403),
    on: {
      closed: (event) => {
        if (event instanceof CloseEvent && event.code === 4403) onUnauthenticated();
      },
    },
  });
}

export function createGraphQLClient(onUnauthenticated: () => void): Client {
  let socket: WSClient | null = null;
  return new Client({
    url: '/graphql',
    fetchOptions: { credentials: 'same-origin' },
    preferGetMethod: false,
    exchanges: [
      // First, so that an event never reaches the document cache: it would refetch the order
      // under the agent's hands; the page says it changed and the agent reloads.
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              socket ??= createSocket(onUnauthenticated);
              const unsubscribe = socket.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
      cacheExchange,
      mapExchange({
        onError(error) {
          const signedOut = error.graphQLErrors.some(
            (e) => (e.extensions as { code?: unknown }).code === 'UNAUTHENTICATED',
          );
          if (signedOut) onUnauthenticated();
        },
      }),
      fetchExchange,
    ],
  });
}

/** A random idempotency key; crypto.randomUUID needs a secure context, getRandomValues not. */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
