// Who is signed in (the Viewer operation), what they may do (viewer.permissions) and the
// GraphQL client; signing out (or an UNAUTHENTICATED answer) drops the client and its cache.
import { createContext, use, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Provider, type Client } from 'urql';

import { createGraphQLClient } from '../graphql/client';
import { LogoutDocument, ViewerDocument, type Permission, type ViewerQuery } from '../gql/graphql';

export type Viewer = ViewerQuery['viewer'];
export type SessionStatus = 'loading' | 'signedIn' | 'signedOut';

export interface Session {
  status: SessionStatus;
  viewer: Viewer | null;
  /** Load the viewer again, e.g. right after signing in. */
  refresh: () => Promise<void>;
  signOut: () => Promise<void>;
  can: (permission: Permission) => boolean;
}

async function loadViewer(client: Client): Promise<{ status: SessionStatus; viewer: Viewer | null }> {
  const result = await client.query(ViewerDocument, {}, { requestPolicy: 'network-only' });
  return result.data
    ? { status: 'signedIn', viewer: result.data.viewer }
    : { status: 'signedOut', viewer: null };
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = use(SessionContext);
  if (!session) throw new Error('useSession outside <SessionProvider>');
  return session;
}

/** The signed-in viewer; only for screens behind <RequireSession>. */
export function useViewer(): Viewer {
  const { viewer } = useSession();
  if (!viewer) throw new Error('useViewer without a signed-in viewer');
  return viewer;
}

export function SessionProvider({ children, client: given }: { children: ReactNode; client?: Client }) {
  const [state, setState] = useState<{ status: SessionStatus; viewer: Viewer | null }>({
    status: 'loading',
    viewer: null,
  });
  const [client, setClient] = useState<Client>(
    () => given ?? createGraphQLClient(() => setState({ status: 'signedOut', viewer: null })),
  );

  const refresh = useCallback(async () => {
    setState(await loadViewer(client));
  }, [client]);

  const signOut = useCallback(async () => {
    await client.mutation(LogoutDocument, {});
    setState({ status: 'signedOut', viewer: null });
    if (!given) setClient(createGraphQLClient(() => setState({ status: 'signedOut', viewer: null })));
  }, [client, given]);

  useEffect(() => {
    let current = true;
    void loadViewer(client).then((loaded) => {
      if (current) setState(loaded);
    });
    return () => {
      current = false;
    };
  }, [client]);

  const session = useMemo<Session>(
    () => ({
      ...state,
      refresh,
      signOut,
      can: (permission) => state.viewer?.permissions.includes(permission) ?? false,
    }),
    [state, refresh, signOut],
  );

  return (
    <SessionContext value={session}>
      <Provider value={client}>{children}</Provider>
    </SessionContext>
  );
}
