// The contract's operations over HTTP with a bearer token, as another client (or another
// agent's session) would send them: seeding the scenario and acting behind the browser's back.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

import { LoginDocument } from '../src/gql/graphql';

/** Runs one of the contract's operations over HTTP, as the SPA does but with a bearer token. */
export async function run<R, V>(
  base: string,
  document: TypedDocumentNode<R, V>,
  variables: V,
  token?: string,
): Promise<R> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: R; errors?: unknown };
  if (body.errors || !body.data) throw new Error(`GraphQL: ${JSON.stringify(body.errors)}`);
  return body.data;
}

export async function token(base: string, username: string): Promise<string> {
  const { login } = await run(base, LoginDocument, { username, password: username });
  if (login.__typename !== 'LoginSuccess') throw new Error(`cannot sign in as ${username}`);
  return login.token;
}
