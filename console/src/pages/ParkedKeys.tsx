import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { post, query, useGet } from '../api.ts';
import { Field, Outcome, Pager, Problem, Table, Time, useAction } from '../ui.tsx';

interface ParkedKey {
  consumer: string;
  key: string;
  deadLetterId: number;
  error: string;
  fingerprint: string;
  parkedAt: string;
  parkedMessages: number;
  oldestParkedAt: string | null;
}

const LIMIT = 20;

/** Keys a consumer group holds back behind a dead letter, and releasing them one by one. */
export function ParkedKeys() {
  const { query: params, route } = useLocation();
  const consumer = params['consumer'] ?? '';
  const [filter, setFilter] = useState(consumer);
  const [offset, setOffset] = useState(0);
  const [reason, setReason] = useState('');
  const list = useGet<{ total: number; items: ParkedKey[] }>(`/admin/parked-keys${query({ consumer, limit: LIMIT, offset })}`);
  const action = useAction();
  const release = (item: ParkedKey, kind: 'redrive' | 'skip') => void action.run(
    () => post<{ settled: unknown[] }>(`/admin/parked-keys/${kind}`, reason.trim() === '' ? { consumer: item.consumer, key: item.key } : { consumer: item.consumer, key: item.key, reason }),
    () => `${kind === 'redrive' ? 'Redriven' : 'Skipped'}: key ${item.key} of ${item.consumer}, released as soon as the group takes it`,
  ).then(list.reload);
  const items = list.data?.items ?? [];
  return (
    <section aria-labelledby="parked-title">
      <h1 id="parked-title">Parked keys</h1>
      <form class="actions" role="search" onSubmit={(event) => { event.preventDefault(); setOffset(0); route(`/console/parked-keys${query({ consumer: filter.trim() })}`); }}>
        <Field label="Consumer group">
          <input type="text" name="consumer" placeholder="e.g. payments.account" value={filter} onInput={(event) => setFilter((event.target as HTMLInputElement).value)} />
        </Field>
        <button type="submit">Filter</button>
      </form>
      <form class="actions" onSubmit={(event) => event.preventDefault()}>
        <Field label="Reason for releasing" hint="Kept in the audit log; required to skip">
          <input type="text" name="reason" value={reason} maxLength={500} onInput={(event) => setReason((event.target as HTMLInputElement).value)} />
        </Field>
      </form>
      <Outcome error={action.error} done={action.done} />
      <Problem error={list.error} />
      {list.data !== undefined && items.length === 0 && <p class="muted" data-testid="no-parked-keys">No parked keys.</p>}
      {items.length > 0 && (
        <Table caption="Parked keys, oldest first" testId="parked-keys">
          <thead>
            <tr><th scope="col">Group</th><th scope="col">Key</th><th scope="col">Dead letter</th><th scope="col">Error</th>
              <th scope="col">Parked</th><th scope="col">Waiting messages</th><th scope="col">Actions</th></tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={`${item.consumer}/${item.key}`} data-testid="parked-key" data-consumer={item.consumer} data-key={item.key}>
                <td>{item.consumer}</td><td class="mono">{item.key}</td>
                <td><a href={`/console/dead-letters/${item.deadLetterId}`}>#{item.deadLetterId}</a></td>
                <td class="error-text">{item.error}</td><td><Time at={item.parkedAt} /></td><td>{item.parkedMessages}</td>
                <td class="row-actions">
                  <button type="button" disabled={action.busy} onClick={() => release(item, 'redrive')} aria-label={`Redrive key ${item.key} of ${item.consumer}`}>Redrive</button>
                  <button type="button" disabled={action.busy || reason.trim() === ''} onClick={() => release(item, 'skip')} aria-label={`Skip key ${item.key} of ${item.consumer}`}>Skip</button>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {list.data !== undefined && <Pager offset={offset} limit={LIMIT} total={list.data.total} count={items.length} onPage={setOffset} />}
    </section>
  );
}
