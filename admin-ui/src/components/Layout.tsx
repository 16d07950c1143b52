import { Suspense } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';

import { SCREENS } from '../routes';
import { useSession, useViewer } from '../session/session';

export function Layout() {
  const { can, signOut } = useSession();
  const viewer = useViewer();
  const navigate = useNavigate();
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">csdesk</span>
        <nav aria-label="Main">
          <ul>
            {SCREENS.filter((s) => s.menu && can(s.permission)).map((s) => (
              <li key={s.path}>
                <NavLink to={`/${s.path}`} end={s.path === 'orders' ? false : true}>
                  {s.menu}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span>
            {viewer.displayName} · {viewer.role.name} · {viewer.timeZone}
          </span>
          <button
            type="button"
            onClick={() => {
              void signOut().then(() => navigate('/login'));
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p aria-busy="true">Loading…</p>}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
