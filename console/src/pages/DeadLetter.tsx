import { useState } from 'preact/hooks';
import { ApiError, post, useGet, type FieldError } from '../api.ts';
import { Field, Outcome, Problem, Table, Time, useAction } from '../ui.tsx';
import type { DeadLetterItem } from './DeadLetters.tsx';

interface DeadLetterDetail extends DeadLetterItem {
  payloadJson: unknown;
  contract: { type: string; version: number; schema: unknown } | null;
}

/** One dead letter: what was received, why it failed, and the operator's ways out. */
export function DeadLetter({ id }: { id: string }) {
  const letter = useGet<DeadLetterDetail>(`/admin/dead-letters/${encodeURIComponent(id)}`);
  const data = letter.data;
  return (
    <section aria-labelledby="dead-letter-title">
      <p><a href="/console/dead-letters">← Dead letters</a></p>
      <h1 id="dead-letter-title">Dead letter #{id}</h1>
      <Problem error={letter.error} />
      {data !== undefined && (
        <>
          <dl class="facts" data-testid="dead-letter-facts">
            <div><dt>Consumer group</dt><dd>{data.consumer}</dd></div>
            <div><dt>Topic</dt><dd>{data.topic} [{data.partition}] @ {data.offset}</dd></div>
            <div><dt>Key</dt><dd>{data.key ?? '—'}</dd></div>
            <div><dt>Event</dt><dd>{data.eventId === null ? '—' : <a href={`/console/journey?eventId=${encodeURIComponent(data.eventId)}`}>{data.eventId}</a>} {data.eventType ?? ''}</dd></div>
            <div><dt>Attempts</dt><dd data-testid="attempts">{data.attempts}</dd></div>
            <div><dt>Dead-lettered</dt><dd><Time at={data.createdAt} /></dd></div>
            <div><dt>Status</dt><dd data-testid="letter-status">{data.redrivenAt !== null ? <>redriven <Time at={data.redrivenAt} /></> : data.skippedAt !== null ? <>skipped <Time at={data.skippedAt} /></> : 'unsettled'}</dd></div>
          </dl>
          <h2>Error</h2>
          <pre class="error-text" data-testid="letter-error">{data.error}</pre>
          <h2>Headers</h2>
          <Table caption="Message headers">
            <thead><tr><th scope="col">Header</th><th scope="col">Value</th></tr></thead>
            <tbody>{Object.entries(data.headers).map(([name, value]) => <tr key={name}><th scope="row">{name}</th><td class="mono">{value}</td></tr>)}</tbody>
          </Table>
          <h2>Payload</h2>
          <pre class="payload" data-testid="payload">{data.payloadJson !== null && data.payloadJson !== undefined ? JSON.stringify(data.payloadJson, null, 2) : data.payload ?? '(no value)'}</pre>
          {data.contract !== null && (
            <details>
              <summary>Contract {data.contract.type} v{data.contract.version}</summary>
              <pre class="payload">{JSON.stringify(data.contract.schema, null, 2)}</pre>
            </details>
          )}
          {data.redrivenAt === null && data.skippedAt === null && <Actions letter={data} onSettled={letter.reload} />}
        </>
      )}
    </section>
  );
}

function Actions({ letter, onSettled }: { letter: DeadLetterDetail; onSettled: () => void }) {
  const [reason, setReason] = useState('');
  const [editing, setEditing] = useState(false);
  const action = useAction();
  const settle = async (kind: 'redrive' | 'skip') => {
    const body = kind === 'skip' || reason.trim() !== '' ? { reason } : {};
    const done = await action.run(() => post(`/admin/dead-letters/${letter.id}/${kind}`, body), () => (kind === 'redrive' ? 'Redriven' : 'Skipped'));
    if (done !== undefined) onSettled();
  };
  return (
    <section aria-labelledby="actions-title" class="panel">
      <h2 id="actions-title">Actions</h2>
      <form class="actions" onSubmit={(event) => event.preventDefault()}>
        <Field label="Reason" hint="Kept in the audit log; required to skip">
          <input type="text" name="reason" value={reason} maxLength={500} onInput={(event) => setReason((event.target as HTMLInputElement).value)} />
        </Field>
        <button type="button" disabled={action.busy} onClick={() => void settle('redrive')}>Redrive as is</button>
        <button type="button" disabled={action.busy || reason.trim() === ''} onClick={() => void settle('skip')}>Skip</button>
        <button type="button" aria-expanded={editing} onClick={() => setEditing(!editing)}>Edit payload and redrive</button>
      </form>
      <Outcome error={action.error} done={action.done} />
      {editing && <PayloadEditor letter={letter} reason={reason} onSettled={onSettled} />}
    </section>
  );
}

type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

function parse(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/** The top-level field a JSON pointer names (`/amount/currency` → `amount`), unescaped; '' for the whole payload. */
function topField(path: string): string {
  const first = path.split('/')[1];
  return first === undefined ? '' : first.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * The JSON in a textarea, and beside it the payload's top-level fields, each with the errors the
 * contract check reported for it (from Validate, or from a refused redrive's 422).
 */
function PayloadEditor({ letter, reason, onSettled }: { letter: DeadLetterDetail; reason: string; onSettled: () => void }) {
  const initial = letter.payloadJson !== null && letter.payloadJson !== undefined ? JSON.stringify(letter.payloadJson, null, 2) : letter.payload ?? '';
  const [text, setText] = useState(initial);
  const [checked, setChecked] = useState<FieldError[] | undefined>();
  const action = useAction();
  const parsed = parse(text);
  // Validate's answer, else the field errors of a refused redrive (422): both are shown alike.
  const errors = checked ?? (action.error instanceof ApiError ? action.error.errors : []);
  const fields = parsed.ok && typeof parsed.value === 'object' && parsed.value !== null && !Array.isArray(parsed.value)
    ? Object.entries(parsed.value as Record<string, unknown>) : [];
  const present = new Set(fields.map(([name]) => name));
  // An error naming a field the payload lacks (a required one) gets a row of its own.
  const absent = [...new Set(errors.map((error) => topField(error.path)).filter((name) => name !== '' && !present.has(name)))];
  const rows: Array<[string, unknown]> = [...fields, ...absent.map((name): [string, unknown] => [name, undefined])];
  const wholeErrors = errors.filter((error) => topField(error.path) === '');

  const edit = (value: string) => {
    setText(value);
    setChecked(undefined);
    action.clear();
  };
  const validate = () => {
    if (!parsed.ok) return;
    void action.run(() => post<{ valid: boolean; errors: FieldError[] }>(`/admin/dead-letters/${letter.id}/validate`, { payload: parsed.value }), (result) => {
      setChecked(result.errors);
      return result.valid ? 'Valid against the contract' : `Not valid: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}`;
    });
  };
  const redrive = async () => {
    if (!parsed.ok) return;
    setChecked(undefined);
    const body = reason.trim() === '' ? { payload: parsed.value } : { payload: parsed.value, reason };
    const done = await action.run(() => post(`/admin/dead-letters/${letter.id}/redrive`, body), () => 'Redriven with the edited payload');
    if (done !== undefined) onSettled();
  };
  return (
    <div class="editor" data-testid="payload-editor">
      <h3>Edit the payload</h3>
      <div class="editor-grid">
        <Field label="Payload (JSON)">
          <textarea name="payload" rows={14} spellcheck={false} value={text} aria-invalid={!parsed.ok}
            aria-describedby="json-status" onInput={(event) => edit((event.target as HTMLTextAreaElement).value)} />
        </Field>
        <div>
          <p id="json-status" class={parsed.ok ? 'muted' : 'problem'} data-testid="json-status" role={parsed.ok ? undefined : 'alert'}>
            {parsed.ok ? 'Well-formed JSON' : `Not JSON: ${parsed.message}`}
          </p>
          <Table caption="Fields of the payload" testId="payload-fields">
            <thead><tr><th scope="col">Field</th><th scope="col">Value</th><th scope="col">Problems</th></tr></thead>
            <tbody>
              {rows.map(([name, value]) => {
                const problems = errors.filter((error) => topField(error.path) === name);
                return (
                  <tr key={name} data-testid={`field-${name}`} class={problems.length > 0 ? 'invalid' : undefined}>
                    <th scope="row">{name}</th>
                    <td class="mono">{value === undefined ? <em>missing</em> : JSON.stringify(value)}</td>
                    <td data-testid={`field-errors-${name}`}>
                      {problems.map((problem) => <div class="problem" key={problem.path + problem.message}>{problem.path}: {problem.message}</div>)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
          {wholeErrors.length > 0 && (
            <ul class="problem" data-testid="payload-errors">{wholeErrors.map((error) => <li key={error.message}>{error.message}</li>)}</ul>
          )}
        </div>
      </div>
      <div class="actions">
        <button type="button" disabled={!parsed.ok || action.busy} onClick={validate}>Validate</button>
        <button type="button" disabled={!parsed.ok || action.busy} onClick={() => void redrive()}>Redrive with this payload</button>
      </div>
      <Outcome error={action.error} done={action.done} />
    </div>
  );
}
