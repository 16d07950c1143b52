// Administration "Configuration": Postsales / Sourcing strategy / enabled.
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';

import { FormAlert } from '../../components/Field';
import { DateTime } from '../../components/Values';
import { SettingsDocument, SettingsUpdateDocument } from '../../gql/graphql';
import { fromCombinedError, fromUserError, type FormError } from '../../graphql/errors';
import { usePageTitle } from '../../components/usePageTitle';

export default function SettingsPage() {
  const [{ data, error: loadError }] = useQuery({ query: SettingsDocument });
  usePageTitle('Settings');
  const [{ fetching }, save] = useMutation(SettingsUpdateDocument);
  const [error, setError] = useState<FormError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const settings = data?.settings;

  async function toggle(enabled: boolean) {
    const result = await save({ sourcingStrategyEnabled: enabled });
    const answer = result.data?.settingsUpdate;
    if (!answer) return setError(fromCombinedError(result.error));
    if (answer.__typename !== 'SettingsUpdateSuccess') return setError(fromUserError(answer));
    setError(null);
    setNotice(
      `Sourcing strategy ${answer.settings.postsalesSourcingStrategyEnabled ? 'enabled' : 'disabled'}.`,
    );
  }

  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <FormAlert message={fromCombinedError(loadError)?.message ?? error?.message} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {settings && (
        <fieldset className="card">
          <legend>Postsales / Sourcing strategy</legend>
          <label className="check">
            <input
              type="checkbox"
              checked={settings.postsalesSourcingStrategyEnabled}
              disabled={fetching}
              onChange={(e) => void toggle(e.target.checked)}
            />
            Enabled: returns may go back to any source that accepts returns (the return screen shows a
            “Returned to” column). Off: a line goes back where it shipped from.
          </label>
          <p className="muted">
            Last changed: <DateTime value={settings.updatedAt} />
          </p>
        </fieldset>
      )}
    </section>
  );
}
