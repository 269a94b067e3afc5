import { useState } from 'preact/hooks';
import { query, useGet } from '../api.ts';
import { Pager, Problem, Table, Time } from '../ui.tsx';

interface Entry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: Record<string, unknown>;
  reason: string | null;
}

const LIMIT = 25;

/** Every operator action, newest first (read-only). */
export function Audit() {
  const [offset, setOffset] = useState(0);
  const log = useGet<{ items: Entry[] }>(`/admin/audit${query({ limit: LIMIT, offset })}`);
  const items = log.data?.items ?? [];
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <Problem error={log.error} />
      {log.data !== undefined && items.length === 0 && <p class="muted">No operator action recorded{offset > 0 ? ' on this page' : ''}.</p>}
      {items.length > 0 && (
        <Table caption="Operator actions, newest first" testId="audit">
          <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">On</th><th scope="col">Why</th></tr></thead>
          <tbody>
            {items.map((entry) => (
              <tr key={entry.id} data-testid="audit-entry">
                <td><Time at={entry.at} /></td><td>{entry.actor}</td><td class="mono">{entry.action}</td>
                <td class="mono">{Object.entries(entry.target).map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`).join(' ')}</td>
                <td>{entry.reason ?? <span class="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {log.data !== undefined && <Pager offset={offset} limit={LIMIT} count={items.length} onPage={setOffset} />}
    </section>
  );
}
