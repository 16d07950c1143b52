import { useState, type SyntheticEvent } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useMutation } from 'urql';

import { Field, FormAlert } from '../components/Field';
import { LoginDocument } from '../gql/graphql';
import { errorFor, fromCombinedError, fromUserError, generalError, type FormError } from '../graphql/errors';
import { useSession } from '../session/session';
import { usePageTitle } from '../components/usePageTitle';

const KEYS = ['input.username', 'input.password'];

export function LoginPage() {
  const session = useSession();
  const location = useLocation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [{ fetching }, login] = useMutation(LoginDocument);
  usePageTitle('Sign in');

  if (session.status === 'signedIn') {
    const from = (location.state as { from?: { pathname: string; search: string } } | null)?.from;
    return <Navigate to={from ? `${from.pathname}${from.search}` : '/orders'} replace />;
  }

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    const result = await login({ username, password });
    const answer = result.data?.login;
    if (!answer) {
      setError(fromCombinedError(result.error));
    } else if (answer.__typename === 'LoginSuccess') {
      setError(null);
      await session.refresh();
    } else {
      const extra =
        answer.__typename === 'TooManyAttempts'
          ? ` Try again in ${Math.ceil(answer.retryAfterSeconds / 60)} min.`
          : '';
      setError({ ...fromUserError(answer), message: answer.message + extra });
    }
  }

  return (
    <main id="main" className="login">
      <form onSubmit={(e) => void submit(e)} aria-labelledby="login-title" noValidate>
        <h1 id="login-title">csdesk · Customer Service</h1>
        <FormAlert message={generalError(error, KEYS)} />
        <Field label="Username" error={errorFor(error, 'input.username')}>
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </Field>
        <Field label="Password" error={errorFor(error, 'input.password')}>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </Field>
        <button type="submit" className="button-primary" disabled={fetching || !username || !password}>
          Sign in
        </button>
      </form>
    </main>
  );
}
