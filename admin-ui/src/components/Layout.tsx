import { Suspense } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { useQuery } from 'urql';

import { FollowUpsDocument } from '../gql/graphql';

import { SCREENS } from '../routes';
import { useSession, useViewer } from '../session/session';

// urql wants a stable context object (a new one per render loops): refetch when a mutation
// returns a FollowUp, even while the list is empty.
const REFETCH_ON = { additionalTypenames: ['FollowUp'] };

export function Layout() {
  const { can, signOut } = useSession();
  const viewer = useViewer();
  const navigate = useNavigate();
  // viewer.followUpsDue: the viewer's own open follow-ups due now or earlier. The query holds
  // FollowUp, so creating or closing one refreshes the count.
  const [{ data: due }] = useQuery({
    query: FollowUpsDocument,
    variables: { filter: { assignedToMe: true, overdue: true }, first: 1 },
    context: REFETCH_ON,
  });
  const followUpsDue = due?.viewer.followUpsDue ?? 0;
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
                  {s.path === 'follow-ups' && followUpsDue > 0 && (
                    <span className="badge" aria-label={`, ${followUpsDue} due`}>
                      {followUpsDue}
                    </span>
                  )}
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
