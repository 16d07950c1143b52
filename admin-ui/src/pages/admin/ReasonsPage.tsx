// Administration "Reasons": the post-sales reasons of each list (appeasement, return,
// cancellation, reshipment) with their labels per language; add one, rename or translate it,
// deactivate or reactivate it; and which sources accept returns. SETTINGS_MANAGE.
import { useState, type SyntheticEvent } from 'react';
import { useMutation, useQuery } from 'urql';

import { Dialog } from '../../components/Dialog';
import { Field, FormAlert } from '../../components/Field';
import {
  ReasonCreateDocument,
  ReasonUpdateDocument,
  ReasonsAdminDocument,
  SourceUpdateDocument,
  type ReasonKind,
  type ReasonsAdminQuery,
} from '../../gql/graphql';
import {
  errorFor,
  fromCombinedError,
  fromUserError,
  generalError,
  type FormError,
} from '../../graphql/errors';
import { usePageTitle } from '../../components/usePageTitle';

type Reason = ReasonsAdminQuery['postsalesReasons'][number];

// Every list, as the agent knows it: a Record so a list the contract adds is a type error here.
const KIND_LABELS: Record<ReasonKind, string> = {
  APPEASEMENT: 'Appeasement',
  RETURN: 'Return',
  CANCELLATION: 'Cancellation',
  RESHIPMENT: 'Reshipment',
};
const KINDS = Object.keys(KIND_LABELS) as ReasonKind[];
const LANGUAGES = ['de', 'fr'];

function labelIn(reason: Reason, language: string): string {
  return reason.labels.find((l) => l.language === language)?.label ?? '';
}

function ReasonDialog({
  kind,
  reason,
  onClose,
  onDone,
}: {
  kind: ReasonKind;
  reason: Reason | null;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const [code, setCode] = useState(reason?.code ?? '');
  const [label, setLabel] = useState(reason?.defaultLabel ?? '');
  const [translations, setTranslations] = useState<Record<string, string>>(() =>
    Object.fromEntries(LANGUAGES.map((l) => [l, reason ? labelIn(reason, l) : ''])),
  );
  const [error, setError] = useState<FormError | null>(null);
  const [created, create] = useMutation(ReasonCreateDocument);
  const [updated, update] = useMutation(ReasonUpdateDocument);
  // On update an empty translation removes it; on create it is left out.
  const labels = LANGUAGES.filter((l) => reason || translations[l]?.trim()).map((language) => ({
    language,
    label: translations[language]?.trim() ?? '',
  }));
  const keys = ['input.code', 'input.label', ...LANGUAGES.map((_, i) => `input.labels.${i}.label`)];

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    const result = reason
      ? await update({ kind, code: reason.code, label, labels })
      : await create({ kind, code, label, labels });
    const answer =
      result.data && ('reasonUpdate' in result.data ? result.data.reasonUpdate : result.data.reasonCreate);
    if (!answer) return setError(fromCombinedError(result.error));
    if (answer.__typename === 'ReasonChanged') {
      onDone(`Reason ${answer.reason.code} saved.`);
      return;
    }
    setError(fromUserError(answer));
  }

  return (
    <Dialog
      title={reason ? `Edit reason ${reason.code}` : `New ${KIND_LABELS[kind].toLowerCase()} reason`}
      onClose={onClose}
    >
      <form onSubmit={(e) => void submit(e)} noValidate>
        <FormAlert message={generalError(error, keys)} />
        {!reason && (
          <Field
            label="Code"
            hint="Letters, digits and _; stored in upper case."
            error={errorFor(error, 'input.code')}
          >
            <input value={code} maxLength={64} autoComplete="off" onChange={(e) => setCode(e.target.value)} />
          </Field>
        )}
        <Field label="Label" error={errorFor(error, 'input.label')}>
          <input value={label} maxLength={200} onChange={(e) => setLabel(e.target.value)} />
        </Field>
        {LANGUAGES.map((language) => (
          <Field
            key={language}
            label={`Label in ${language.toUpperCase()} (optional)`}
            error={errorFor(error, `input.labels.${labels.findIndex((l) => l.language === language)}.label`)}
          >
            <input
              value={translations[language] ?? ''}
              maxLength={200}
              onChange={(e) => setTranslations((t) => ({ ...t, [language]: e.target.value }))}
            />
          </Field>
        ))}
        <div className="buttons">
          <button
            type="submit"
            className="button-primary"
            disabled={created.fetching || updated.fetching || !label.trim() || (!reason && !code.trim())}
          >
            {reason ? 'Save reason' : 'Create reason'}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export default function ReasonsPage() {
  const [kind, setKind] = useState<ReasonKind>('APPEASEMENT');
  const [{ data, error: loadError }] = useQuery({ query: ReasonsAdminDocument, variables: { kind } });
  usePageTitle('Reasons');
  const [editing, setEditing] = useState<Reason | 'new' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<FormError | null>(null);
  const [toggled, toggle] = useMutation(ReasonUpdateDocument);
  const [sourced, updateSource] = useMutation(SourceUpdateDocument);

  async function setActive(reason: Reason, active: boolean) {
    const result = await toggle({ kind, code: reason.code, active });
    const answer = result.data?.reasonUpdate;
    if (!answer) return setError(fromCombinedError(result.error));
    if (answer.__typename !== 'ReasonChanged') return setError(fromUserError(answer));
    setError(null);
    setNotice(`Reason ${reason.code} ${active ? 'reactivated' : 'deactivated'}.`);
  }

  async function setAcceptsReturns(code: string, acceptsReturns: boolean) {
    const result = await updateSource({ code, acceptsReturns });
    const answer = result.data?.sourceUpdate;
    if (!answer) return setError(fromCombinedError(result.error));
    if (answer.__typename !== 'SourceUpdateSuccess') return setError(fromUserError(answer));
    setError(null);
    setNotice(`${answer.source.name} ${acceptsReturns ? 'accepts' : 'no longer accepts'} returns.`);
  }

  return (
    <section aria-labelledby="reasons-title">
      <h1 id="reasons-title">Reasons</h1>
      <FormAlert message={fromCombinedError(loadError)?.message ?? error?.message} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <div className="toolbar">
        <Field label="List">
          <select
            value={kind}
            onChange={(e) => {
              setKind(e.target.value as ReasonKind);
              setNotice(null);
            }}
          >
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </Field>
        <button type="button" className="button-primary" onClick={() => setEditing('new')}>
          New reason
        </button>
      </div>
      {data && (
        <table className="table">
          <caption>{KIND_LABELS[kind]} reasons, in the order agents see them</caption>
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Label</th>
              {LANGUAGES.map((l) => (
                <th key={l} scope="col">
                  {l.toUpperCase()}
                </th>
              ))}
              <th scope="col">Offered</th>
              <th scope="col">Edit</th>
            </tr>
          </thead>
          <tbody>
            {data.postsalesReasons.map((r) => (
              <tr key={r.code} className={r.active ? undefined : 'muted'}>
                <td>{r.code}</td>
                <td>{r.defaultLabel}</td>
                {LANGUAGES.map((l) => (
                  <td key={l}>{labelIn(r, l) || '—'}</td>
                ))}
                <td>
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={r.active}
                      disabled={toggled.fetching}
                      onChange={(e) => void setActive(r, e.target.checked)}
                    />
                    <span className="visually-hidden">Offer {r.code}</span>
                    {r.active ? 'Active' : 'Inactive'}
                  </label>
                </td>
                <td>
                  <button type="button" aria-label={`Edit ${r.code}`} onClick={() => setEditing(r)}>
                    Edit
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data && (
        <>
          <h2>Sources</h2>
          <table className="table">
            <caption className="visually-hidden">Sources and whether they accept returns</caption>
            <thead>
              <tr>
                <th scope="col">Source</th>
                <th scope="col">Accepts returns?</th>
              </tr>
            </thead>
            <tbody>
              {data.sources.map((s) => (
                <tr key={s.code}>
                  <td>
                    {s.name} ({s.code})
                  </td>
                  <td>
                    <label className="check">
                      <input
                        type="checkbox"
                        checked={s.acceptsReturns}
                        disabled={sourced.fetching}
                        onChange={(e) => void setAcceptsReturns(s.code, e.target.checked)}
                      />
                      <span className="visually-hidden">{s.name} accepts returns</span>
                      {s.acceptsReturns ? 'Yes' : 'No'}
                    </label>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {editing && (
        <ReasonDialog
          kind={kind}
          reason={editing === 'new' ? null : editing}
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
