import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { post, query, useGet } from '../api.ts';
import { Field, Outcome, Pager, Problem, Table, Time, useAction } from '../ui.tsx';

interface Group {
  consumer: string;
  topic: string;
  fingerprint: string;
  count: number;
  parkedKeys: number;
  firstSeen: string;
  lastSeen: string;
  sampleError: string;
  sampleId: number;
}

export interface DeadLetterItem {
  id: number;
  consumer: string;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  payload: string | null;
  error: string;
  fingerprint: string;
  attempts: number;
  eventId: string | null;
  eventType: string | null;
  createdAt: string;
  redrivenAt: string | null;
  skippedAt: string | null;
}

const LIMIT = 20;

/** Unsettled dead letters grouped by consumer and error fingerprint; a group opens its messages. */
export function DeadLetters() {
  const { query: params, route } = useLocation();
  const consumer = params['consumer'];
  const fingerprint = params['fingerprint'];
  const groups = useGet<{ items: Group[] }>('/admin/dead-letters/groups');
  const shown = (groups.data?.items ?? []).filter((group) => consumer === undefined || group.consumer === consumer);
  const open = (group: Group) => route(`/console/dead-letters${query({ consumer: group.consumer, fingerprint: group.fingerprint })}`);
  return (
    <section aria-labelledby="dead-letters-title">
      <h1 id="dead-letters-title">Dead letters</h1>
      <Problem error={groups.error} />
      {consumer !== undefined && fingerprint === undefined && (
        <p>Consumer group <strong>{consumer}</strong> only. <a href="/console/dead-letters">Show every group</a></p>
      )}
      {groups.data !== undefined && shown.length === 0 && <p class="muted" data-testid="no-dead-letters">No unsettled dead letters.</p>}
      {shown.length > 0 && (
        <Table caption="Unsettled dead letters by consumer group and error" testId="dead-letter-groups">
          <thead>
            <tr><th scope="col">Group</th><th scope="col">Topic</th><th scope="col">Error</th><th scope="col">Letters</th>
              <th scope="col">Parked keys</th><th scope="col">First</th><th scope="col">Last</th><th scope="col"><span class="sr-only">Open</span></th></tr>
          </thead>
          <tbody>
            {shown.map((group) => (
              <tr key={`${group.consumer}/${group.fingerprint}`} data-testid="dead-letter-group"
                aria-selected={group.consumer === consumer && group.fingerprint === fingerprint}>
                <td>{group.consumer}</td><td>{group.topic}</td>
                <td class="error-text">{group.sampleError}</td>
                <td>{group.count}</td><td>{group.parkedKeys}</td>
                <td><Time at={group.firstSeen} /></td><td><Time at={group.lastSeen} /></td>
                <td><button type="button" onClick={() => open(group)} aria-label={`Open group: ${group.consumer}, ${group.sampleError}`}>Open</button></td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {consumer !== undefined && fingerprint !== undefined && (
        <GroupLetters key={`${consumer}/${fingerprint}`} consumer={consumer} fingerprint={fingerprint} onSettled={groups.reload} />
      )}
    </section>
  );
}

function GroupLetters({ consumer, fingerprint, onSettled }: { consumer: string; fingerprint: string; onSettled: () => void }) {
  const [offset, setOffset] = useState(0);
  const [reason, setReason] = useState('');
  const letters = useGet<{ total: number; items: DeadLetterItem[] }>(
    `/admin/dead-letters${query({ consumer, fingerprint, unsettled: true, limit: LIMIT, offset })}`,
  );
  const action = useAction();
  const settle = (kind: 'redrive' | 'skip') => action.run(
    () => post<{ settled: unknown[] }>(`/admin/dead-letters/${kind}`, { consumer, fingerprint, reason }),
    (result) => `${kind === 'redrive' ? 'Redriven' : 'Skipped'}: ${result.settled.length} dead letter${result.settled.length === 1 ? '' : 's'}`,
  ).then(() => {
    letters.reload();
    onSettled();
  });
  const items = letters.data?.items ?? [];
  return (
    <section aria-labelledby="group-title" class="panel">
      <h2 id="group-title">Letters of {consumer}</h2>
      <form class="actions" onSubmit={(event) => event.preventDefault()}>
        <Field label="Reason for the whole group" hint="Kept in the audit log; required to skip">
          <input type="text" value={reason} maxLength={500} onInput={(event) => setReason((event.target as HTMLInputElement).value)} />
        </Field>
        <button type="button" disabled={action.busy} onClick={() => void settle('redrive')}>Redrive group</button>
        <button type="button" disabled={action.busy || reason.trim() === ''} onClick={() => void settle('skip')}>Skip group</button>
      </form>
      <Outcome error={action.error} done={action.done} />
      <Problem error={letters.error} />
      {items.length > 0 && (
        <Table caption="Dead letters of the group" testId="dead-letters">
          <thead><tr><th scope="col">Id</th><th scope="col">Key</th><th scope="col">Event type</th><th scope="col">Attempts</th><th scope="col">Dead-lettered</th></tr></thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id}>
                <td><a href={`/console/dead-letters/${item.id}`} aria-label={`Dead letter ${item.id}`}>#{item.id}</a></td>
                <td>{item.key ?? '—'}</td><td>{item.eventType ?? '—'}</td><td>{item.attempts}</td><td><Time at={item.createdAt} /></td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {letters.data !== undefined && (
        <Pager offset={offset} limit={LIMIT} total={letters.data.total} count={items.length} onPage={setOffset} />
      )}
    </section>
  );
}
