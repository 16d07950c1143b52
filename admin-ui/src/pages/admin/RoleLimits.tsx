// Roles › Appeasement limits (USER_MANAGE): what each role's users may give per currency
// without a second user's approval, per appeasement and per day. Blank is unlimited. The API
// refuses more than your own role's limits and changes to your own role.
import { useState, type SyntheticEvent } from 'react';
import { useMutation, useQuery } from 'urql';

import { Dialog } from '../../components/Dialog';
import { FormAlert } from '../../components/Field';
import { formatMoney } from '../../format/format';
import { RoleLimitsDocument, RoleLimitsUpdateDocument, type RoleLimitsQuery } from '../../gql/graphql';
import { fromCombinedError, fromUserError, type FormError } from '../../graphql/errors';
import { useViewer } from '../../session/session';

type Role = RoleLimitsQuery['roles'][number];
interface Row {
  currency: string;
  perAction: string;
  perDay: string;
}

function LimitsDialog({
  role,
  currencies,
  onClose,
  onDone,
}: {
  role: Role;
  currencies: string[];
  onClose: () => void;
  onDone: (m: string) => void;
}) {
  const [rows, setRows] = useState<Row[]>(() =>
    currencies.map((currency) => {
      const limit = role.appeasementLimits.find((l) => l.currency === currency);
      return { currency, perAction: limit?.perAction?.amount ?? '', perDay: limit?.perDay?.amount ?? '' };
    }),
  );
  const [error, setError] = useState<FormError | null>(null);
  const [{ fetching }, update] = useMutation(RoleLimitsUpdateDocument);

  function edit(index: number, patch: Partial<Row>) {
    setRows((current) => current.map((r, i) => (i === index ? { ...r, ...patch } : r)));
  }

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    const limits = rows
      .filter((r) => r.perAction.trim() || r.perDay.trim())
      .map((r) => ({
        currency: r.currency,
        perAction: r.perAction.trim() || null,
        perDay: r.perDay.trim() || null,
      }));
    const result = await update({ roleId: role.id, limits });
    const answer = result.data?.roleUpdate;
    if (!answer) return setError(fromCombinedError(result.error));
    if (answer.__typename !== 'RoleUpdateSuccess') return setError(fromUserError(answer));
    onDone(`Appeasement limits of ${role.name} saved.`);
  }

  return (
    <Dialog title={`Appeasement limits: ${role.name}`} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <p className="muted">
          Above a limit, an appeasement waits for a supervisor’s approval. Blank: no limit.
        </p>
        <FormAlert message={error?.message} />
        <table className="table">
          <caption className="visually-hidden">Limits per currency</caption>
          <thead>
            <tr>
              <th scope="col">Currency</th>
              <th scope="col">Per appeasement</th>
              <th scope="col">Per user per day</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={r.currency}>
                <th scope="row">{r.currency}</th>
                <td>
                  <input
                    aria-label={`${r.currency} per appeasement`}
                    inputMode="decimal"
                    value={r.perAction}
                    onChange={(e) => edit(i, { perAction: e.target.value })}
                  />
                </td>
                <td>
                  <input
                    aria-label={`${r.currency} per day`}
                    inputMode="decimal"
                    value={r.perDay}
                    onChange={(e) => edit(i, { perDay: e.target.value })}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="buttons">
          <button type="submit" className="button-primary" disabled={fetching}>
            Save limits
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function RoleLimits() {
  const viewer = useViewer();
  const [{ data, error }] = useQuery({ query: RoleLimitsDocument });
  const [editing, setEditing] = useState<Role | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const currencies = [
    ...new Set([
      ...viewer.stores.map((s) => s.currency),
      ...(data?.roles.flatMap((r) => r.appeasementLimits.map((l) => l.currency)) ?? []),
    ]),
  ].sort();
  return (
    <section aria-labelledby="limits-title">
      <h2 id="limits-title">Appeasement limits</h2>
      <FormAlert message={fromCombinedError(error)?.message} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {data && (
        <table className="table">
          <caption className="visually-hidden">What each role may give without approval</caption>
          <thead>
            <tr>
              <th scope="col">Role</th>
              <th scope="col">Limits (per appeasement / per day)</th>
              <th scope="col">Edit</th>
            </tr>
          </thead>
          <tbody>
            {data.roles.map((r) => (
              <tr key={r.id}>
                <td>{r.name}</td>
                <td>
                  {r.appeasementLimits.length === 0
                    ? 'No limit'
                    : r.appeasementLimits
                        .map(
                          (l) =>
                            `${l.currency}: ${l.perAction ? formatMoney(l.perAction) : 'no limit'} / ${
                              l.perDay ? formatMoney(l.perDay) : 'no limit'
                            }`,
                        )
                        .join('; ')}
                </td>
                <td>
                  {r.name !== viewer.role.name && (
                    <button
                      type="button"
                      aria-label={`Edit the limits of ${r.name}`}
                      onClick={() => setEditing(r)}
                    >
                      Edit limits
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing && (
        <LimitsDialog
          role={editing}
          currencies={currencies}
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
