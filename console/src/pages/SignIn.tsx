import { useState } from 'preact/hooks';
import { ApiError, signIn } from '../api.ts';
import { Field, Problem } from '../ui.tsx';

export function SignIn() {
  const [token, setToken] = useState('');
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(token.trim().replace(/^Bearer\s+/i, ''));
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      <p>Paste an operator token (on the embedded default: <code>npm run -s token -- --role operator</code>).
        It is kept for this browser session only.</p>
      <form onSubmit={submit}>
        <Field label="Operator token">
          <textarea name="token" rows={4} required spellcheck={false} autoComplete="off"
            value={token} onInput={(event) => setToken((event.target as HTMLTextAreaElement).value)} />
        </Field>
        <button type="submit" disabled={busy || token.trim() === ''}>Sign in</button>
      </form>
      <Problem error={error} testId="sign-in-problem" />
    </section>
  );
}
