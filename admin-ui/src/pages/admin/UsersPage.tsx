// Administration: the users holding roles you manage; create, edit, deactivate, reset password.
import { useState, type SyntheticEvent } from 'react';
import { useMutation, useQuery } from 'urql';

import { Dialog } from '../../components/Dialog';
import { Field, FormAlert } from '../../components/Field';
import { UserCreateDocument, UserUpdateDocument, UsersDocument, type UsersQuery } from '../../gql/graphql';
import {
  errorFor,
  fromCombinedError,
  fromUserError,
  generalError,
  type FormError,
} from '../../graphql/errors';
import { usePageTitle } from '../../components/usePageTitle';

type User = UsersQuery['users'][number];
type Role = UsersQuery['roles'][number];
const KEYS = [
  'input.username',
  'input.displayName',
  'input.password',
  'input.timeZone',
  'input.roleId',
  'input.active',
];
const ZONES: string[] =
  typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['Europe/London'];

function UserDialog({
  user,
  roles,
  onClose,
  onDone,
}: {
  user: User | null;
  roles: Role[];
  onClose: () => void;
  onDone: (m: string) => void;
}) {
  const [username, setUsername] = useState(user?.username ?? '');
  const [displayName, setDisplayName] = useState(user?.displayName ?? '');
  const [timeZone, setTimeZone] = useState(user?.timeZone ?? 'Europe/London');
  const [roleId, setRoleId] = useState(user?.role?.id ?? roles[roles.length - 1]?.id ?? '');
  const [active, setActive] = useState(user?.active ?? true);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [created, create] = useMutation(UserCreateDocument);
  const [updated, update] = useMutation(UserUpdateDocument);

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    if (user) {
      const result = await update({
        input: {
          userId: user.id,
          displayName,
          timeZone,
          active,
          ...(roleId !== user.role?.id ? { roleId } : {}),
          ...(password ? { password } : {}),
        },
      });
      const answer = result.data?.userUpdate;
      if (!answer) return setError(fromCombinedError(result.error));
      if (answer.__typename !== 'UserUpdateSuccess') return setError(fromUserError(answer));
      onDone(`User ${answer.user.username} saved.`);
    } else {
      const result = await create({ input: { username, displayName, password, timeZone, roleId } });
      const answer = result.data?.userCreate;
      if (!answer) return setError(fromCombinedError(result.error));
      if (answer.__typename !== 'UserCreateSuccess') return setError(fromUserError(answer));
      onDone(`User ${answer.user.username} created.`);
    }
  }

  return (
    <Dialog title={user ? `Edit user ${user.username}` : 'New user'} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <FormAlert message={generalError(error, KEYS)} />
        {!user && (
          <Field label="Username" error={errorFor(error, 'input.username')}>
            <input value={username} autoComplete="off" onChange={(e) => setUsername(e.target.value)} />
          </Field>
        )}
        <Field label="Display name" error={errorFor(error, 'input.displayName')}>
          <input value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
        </Field>
        <Field label="Time zone" error={errorFor(error, 'input.timeZone')}>
          <select value={timeZone} onChange={(e) => setTimeZone(e.target.value)}>
            {ZONES.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Role" error={errorFor(error, 'input.roleId')}>
          <select value={roleId} onChange={(e) => setRoleId(e.target.value)}>
            {roles.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name} (level {r.level})
              </option>
            ))}
          </select>
        </Field>
        <Field
          label={user ? 'New password (leave empty to keep)' : 'Password'}
          hint="At least 8 characters."
          error={errorFor(error, 'input.password')}
        >
          <input
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        {user && (
          <label className="check">
            <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
            Active (unticked: signed out everywhere and cannot sign in)
          </label>
        )}
        <div className="buttons">
          <button type="submit" className="button-primary" disabled={created.fetching || updated.fetching}>
            {user ? 'Save user' : 'Create user'}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export default function UsersPage() {
  const [{ data, error }] = useQuery({ query: UsersDocument });
  usePageTitle('Users');
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      <FormAlert message={fromCombinedError(error)?.message} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <button type="button" className="button-primary" onClick={() => setEditing('new')}>
        New user
      </button>
      {data && (
        <table className="table">
          <caption className="visually-hidden">Users you manage</caption>
          <thead>
            <tr>
              <th scope="col">Username</th>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Time zone</th>
              <th scope="col">Active</th>
              <th scope="col">Edit</th>
            </tr>
          </thead>
          <tbody>
            {data.users.map((u) => (
              <tr key={u.id}>
                <td>{u.username}</td>
                <td>{u.displayName}</td>
                <td>{u.role?.name ?? '—'}</td>
                <td>{u.timeZone}</td>
                <td>{u.active ? 'Yes' : 'No'}</td>
                <td>
                  <button type="button" aria-label={`Edit ${u.username}`} onClick={() => setEditing(u)}>
                    Edit
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing && data && (
        <UserDialog
          user={editing === 'new' ? null : editing}
          roles={data.roles}
          onClose={() => setEditing(null)}
          onDone={(m) => {
            setEditing(null);
            setNotice(m);
          }}
        />
      )}
    </section>
  );
}
