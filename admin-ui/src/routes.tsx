// Every screen, its URL (under /admin) and, for the menu, its label and the permission it
// needs. A new screen is one more entry here.
import { lazy, type ReactElement } from 'react';

import type { Permission } from './gql/graphql';
import { OrderDetailPage } from './pages/OrderDetailPage';
import { OrderQueuePage } from './pages/OrderQueuePage';
import { PostsalesQueuePage } from './pages/PostsalesQueuePage';

// Supervision screens: loaded on demand.
const ApprovalQueuePage = lazy(() =>
  import('./pages/ApprovalQueuePage').then((m) => ({ default: m.ApprovalQueuePage })),
);
const FollowUpsPage = lazy(() => import('./pages/FollowUpsPage').then((m) => ({ default: m.FollowUpsPage })));

// Administration is for few users: loaded on demand, outside the first-load bundle.
const UsersPage = lazy(() => import('./pages/admin/UsersPage'));
const RolesPage = lazy(() => import('./pages/admin/RolesPage'));
const SettingsPage = lazy(() => import('./pages/admin/SettingsPage'));
const ReasonsPage = lazy(() => import('./pages/admin/ReasonsPage'));

export interface Screen {
  path: string;
  element: ReactElement;
  permission: Permission;
  /** Shown in the menu when set. */
  menu?: string;
}

export const SCREENS: Screen[] = [
  { path: 'orders', element: <OrderQueuePage />, permission: 'ORDER_VIEW', menu: 'Orders' },
  { path: 'orders/:number', element: <OrderDetailPage />, permission: 'ORDER_VIEW' },
  {
    path: 'postsales',
    element: <PostsalesQueuePage />,
    permission: 'ORDER_VIEW',
    menu: 'Post-sales queue',
  },
  {
    path: 'approvals',
    element: <ApprovalQueuePage />,
    permission: 'APPEASEMENT_APPROVE',
    menu: 'Approvals',
  },
  { path: 'follow-ups', element: <FollowUpsPage />, permission: 'ORDER_VIEW', menu: 'Follow-ups' },
  { path: 'users', element: <UsersPage />, permission: 'USER_MANAGE', menu: 'Users' },
  { path: 'roles', element: <RolesPage />, permission: 'USER_MANAGE', menu: 'Roles' },
  { path: 'settings', element: <SettingsPage />, permission: 'SETTINGS_MANAGE', menu: 'Settings' },
  { path: 'reasons', element: <ReasonsPage />, permission: 'SETTINGS_MANAGE', menu: 'Reasons' },
];
