import type { ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import type { Client } from 'urql';

import { Layout } from './components/Layout';
import type { Permission } from './gql/graphql';
import { humanize } from './format/format';
import { LoginPage } from './pages/LoginPage';
import { SCREENS } from './routes';
import { SessionProvider, useSession } from './session/session';

function RequireSession({ children }: { children: ReactNode }) {
  const { status } = useSession();
  const location = useLocation();
  if (status === 'loading') return <p aria-busy="true">Loading…</p>;
  if (status === 'signedOut') return <Navigate to="/login" replace state={{ from: location }} />;
  return children;
}

function RequirePermission({ permission, children }: { permission: Permission; children: ReactNode }) {
  const { can } = useSession();
  if (!can(permission)) {
    return (
      <section aria-labelledby="denied">
        <h1 id="denied">Not available</h1>
        <p>Your role does not include the permission “{humanize(permission)}” this screen needs.</p>
      </section>
    );
  }
  return children;
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="login" element={<LoginPage />} />
      <Route
        element={
          <RequireSession>
            <Layout />
          </RequireSession>
        }
      >
        <Route index element={<Navigate to="/orders" replace />} />
        {SCREENS.map((s) => (
          <Route
            key={s.path}
            path={s.path}
            element={<RequirePermission permission={s.permission}>{s.element}</RequirePermission>}
          />
        ))}
        <Route path="*" element={<h1>Page not found</h1>} />
      </Route>
    </Routes>
  );
}

export function App({ client }: { client?: Client }) {
  return (
    <SessionProvider {...(client ? { client } : {})}>
      <BrowserRouter basename="/admin">
        <AppRoutes />
      </BrowserRouter>
    </SessionProvider>
  );
}
