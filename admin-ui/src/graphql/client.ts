// The one GraphQL client: same-origin POSTs to /graphql with the HttpOnly session cookie.
// urql's document cache refetches every query whose result holds a __typename a mutation
// returned (Order, PostsalesAction, User, ...), so screens show the order as it is after an
// action. A live-updates subscription would add a subscriptionExchange here.
import { cacheExchange, Client, fetchExchange, mapExchange } from 'urql';

export function createGraphQLClient(onUnauthenticated: () => void): Client {
  return new Client({
    url: '/graphql',
    fetchOptions: { credentials: 'same-origin' },
    preferGetMethod: false,
    exchanges: [
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
