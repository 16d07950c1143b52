// Administration: the roles you manage, their permissions and store access.
import { useState, type SyntheticEvent } from 'react';
import { useMutation, useQuery } from 'urql';

import { Dialog } from '../../components/Dialog';
import { Field, FormAlert } from '../../components/Field';
import { humanize } from '../../format/format';
import {
  RoleCreateDocument,
  RoleUpdateDocument,
  RolesDocument,
  type Permission,
  type RolesQuery,
  type StoreAccess,
} from '../../gql/graphql';
import {
  errorFor,
  fromCombinedError,
  fromUserError,
  generalError,
  type FormError,
} from '../../graphql/errors';
import { useSession } from '../../session/session';
import { usePageTitle } from '../../components/usePageTitle';
import { RoleLimits } from './RoleLimits';

type Role = RolesQuery['roles'][number];
type Store = RolesQuery['stores'][number];
// Every permission, in the order the screen lists them. A Record so that a permission the
// contract adds is a type error here until the screen offers it.
const PERMISSION_ORDER: Record<Permission, number> = {
  ORDER_VIEW: 0,
  COMMENT_ADD: 1,
  ORDER_EDIT: 2,
  EXCHANGE_CREATE: 3,
  RESHIPMENT_CREATE: 4,
  APPEASEMENT_CREATE: 5,
  APPEASEMENT_CANCEL: 6,
  APPEASEMENT_APPROVE: 7,
  RETURN_CREATE: 8,
  RETURN_APPROVE: 9,
  RETURN_CANCEL: 10,
  REFUND_RETRY: 11,
  ORDER_CANCEL: 12,
  USER_MANAGE: 13,
  SETTINGS_MANAGE: 14,
  SCHEMA_INTROSPECT: 15,
  INTEGRATION: 16,
};
const PERMISSIONS = (Object.keys(PERMISSION_ORDER) as Permission[]).sort(
  (a, b) => PERMISSION_ORDER[a] - PERMISSION_ORDER[b],
);
const ACCESS: StoreAccess[] = ['ALL', 'SPECIFIC', 'NONE'];
const KEYS = ['input.name', 'input.level', 'input.permissions', 'input.storeAccess', 'input.storeCodes'];

function RoleDialog({
  role,
  stores,
  onClose,
  onDone,
}: {
  role: Role | null;
  stores: Store[];
  onClose: () => void;
  onDone: (m: string) => void;
}) {
  const { can } = useSession();
  const [name, setName] = useState(role?.name ?? '');
  const [level, setLevel] = useState(role?.level ?? 3);
  const [permissions, setPermissions] = useState<Permission[]>(role?.permissions ?? ['ORDER_VIEW']);
  const [access, setAccess] = useState<StoreAccess>(role?.storeAccess ?? 'SPECIFIC');
  const [storeCodes, setStoreCodes] = useState<string[]>(role?.stores.map((s) => s.code) ?? []);
  const [error, setError] = useState<FormError | null>(null);
  const [created, create] = useMutation(RoleCreateDocument);
  const [updated, update] = useMutation(RoleUpdateDocument);

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    const fields = {
      name,
      level,
      permissions,
      storeAccess: access,
      storeCodes: access === 'SPECIFIC' ? storeCodes : [],
    };
    const result = role
      ? await update({ input: { roleId: role.id, ...fields } })
      : await create({ input: fields });
    const answer =
      result.data && ('roleUpdate' in result.data ? result.data.roleUpdate : result.data.roleCreate);
    if (!answer) return setError(fromCombinedError(result.error));
    if (answer.__typename === 'RoleUpdateSuccess' || answer.__typename === 'RoleCreateSuccess') {
      onDone(`Role ${answer.role.name} saved.`);
      return;
    }
    setError(fromUserError(answer));
  }

  return (
    <Dialog title={role ? `Edit role ${role.name}` : 'New role'} onClose={onClose} wide>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <FormAlert message={generalError(error, KEYS)} />
        <Field label="Name" error={errorFor(error, 'input.name')}>
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field
          label="Level"
          hint="1 manages every role, 2 only level-3 roles, 3 none."
          error={errorFor(error, 'input.level')}
        >
          <select value={level} onChange={(e) => setLevel(Number(e.target.value))}>
            {[1, 2, 3].map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </Field>
        <fieldset>
          <legend>Permissions</legend>
          {PERMISSIONS.map((p) => (
            <label key={p} className="check">
              <input
                type="checkbox"
                checked={permissions.includes(p)}
                disabled={!can(p) && !permissions.includes(p)}
                onChange={(e) =>
                  setPermissions((ps) => (e.target.checked ? [...ps, p] : ps.filter((x) => x !== p)))
                }
              />
              {humanize(p)}
            </label>
          ))}
          {errorFor(error, 'input.permissions') && (
            <FormAlert message={errorFor(error, 'input.permissions')} />
          )}
        </fieldset>
        <fieldset>
          <legend>Store access</legend>
          {ACCESS.map((a) => (
            <label key={a} className="check">
              <input type="radio" name="access" checked={access === a} onChange={() => setAccess(a)} />
              {humanize(a)}
            </label>
          ))}
          {access === 'SPECIFIC' &&
            stores.map((s) => (
              <label key={s.code} className="check">
                <input
                  type="checkbox"
                  checked={storeCodes.includes(s.code)}
                  onChange={(e) =>
                    setStoreCodes((cs) =>
                      e.target.checked ? [...cs, s.code] : cs.filter((c) => c !== s.code),
                    )
                  }
                />
                {s.name} ({s.code})
              </label>
            ))}
          {(errorFor(error, 'input.storeAccess') ?? errorFor(error, 'input.storeCodes')) && (
            <FormAlert
              message={errorFor(error, 'input.storeAccess') ?? errorFor(error, 'input.storeCodes')}
            />
          )}
        </fieldset>
        <div className="buttons">
          <button type="submit" className="button-primary" disabled={created.fetching || updated.fetching}>
            {role ? 'Save role' : 'Create role'}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export default function RolesPage() {
  const [{ data, error }] = useQuery({ query: RolesDocument });
  usePageTitle('Roles');
  const [editing, setEditing] = useState<Role | 'new' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <section aria-labelledby="roles-title">
      <h1 id="roles-title">Roles</h1>
      <FormAlert message={fromCombinedError(error)?.message} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <button type="button" className="button-primary" onClick={() => setEditing('new')}>
        New role
      </button>
      {data && (
        <table className="table">
          <caption className="visually-hidden">Roles you manage</caption>
          <thead>
            <tr>
              <th scope="col">Role</th>
              <th scope="col">Level</th>
              <th scope="col">Permissions</th>
              <th scope="col">Stores</th>
              <th scope="col">Users</th>
              <th scope="col">Edit</th>
            </tr>
          </thead>
          <tbody>
            {data.roles.map((r) => (
              <tr key={r.id}>
                <td>{r.name}</td>
                <td>{r.level}</td>
                <td>{r.permissions.map(humanize).join(', ')}</td>
                <td>
                  {r.storeAccess === 'SPECIFIC'
                    ? r.stores.map((s) => s.code).join(', ')
                    : humanize(r.storeAccess)}
                </td>
                <td>{r.userCount}</td>
                <td>
                  <button type="button" aria-label={`Edit ${r.name}`} onClick={() => setEditing(r)}>
                    Edit
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing && data && (
        <RoleDialog
          role={editing === 'new' ? null : editing}
          stores={data.stores}
          onClose={() => setEditing(null)}
          onDone={(m) => {
            setEditing(null);
            setNotice(m);
          }}
        />
      )}
      <RoleLimits />
    </section>
  );
}
