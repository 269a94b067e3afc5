/** Small pieces every page uses: problem messages, timestamps, paging, an action's outcome. */
import { cloneElement, type ComponentChildren, type VNode } from 'preact';
import { useId, useState } from 'preact/hooks';
import { ApiError } from './api.ts';

export function Problem({ error, testId = 'problem' }: { error: ApiError | Error | undefined; testId?: string }) {
  if (error === undefined) return null;
  return <p class="problem" role="alert" data-testid={testId}>{error.message}</p>;
}

export function Time({ at }: { at: string | null | undefined }) {
  if (at === null || at === undefined) return <span class="muted">—</span>;
  const date = new Date(at);
  return <time dateTime={at} title={at}>{date.toLocaleString(undefined, { hour12: false })}</time>;
}

export function Pager({ offset, limit, total, count, onPage }: { offset: number; limit: number; total?: number; count: number; onPage: (offset: number) => void }) {
  const last = total !== undefined ? offset + limit >= total : count < limit;
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={offset === 0} onClick={() => onPage(Math.max(0, offset - limit))}>Previous page</button>
      <span data-testid="page-range">
        {count === 0 ? 'none' : `${offset + 1}–${offset + count}`}{total !== undefined ? ` of ${total}` : ''}
      </span>
      <button type="button" disabled={last} onClick={() => onPage(offset + limit)}>Next page</button>
    </nav>
  );
}

/** Runs an operator action once at a time and says how it went. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const run = async <T,>(action: () => Promise<T>, success: (result: T) => string): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const result = await action();
      setDone(success(result));
      return result;
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : new ApiError(0, String(caught)));
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, done, run, clear: () => { setError(undefined); setDone(undefined); } };
}

export function Outcome({ error, done }: { error: ApiError | undefined; done: string | undefined }) {
  return (
    <>
      <Problem error={error} testId="action-problem" />
      {done !== undefined && <p class="done" role="status" data-testid="action-done">{done}</p>}
    </>
  );
}

/** A labelled control; the hint is its description (aria-describedby), not part of its name. */
export function Field({ label, children, hint }: { label: string; children: VNode; hint?: string }) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {cloneElement(children, hint === undefined ? { id } : { id, 'aria-describedby': `${id}-hint` })}
      {hint !== undefined && <small class="muted" id={`${id}-hint`}>{hint}</small>}
    </div>
  );
}

/** A table that scrolls sideways inside its own box on a narrow window, not the page. */
export function Table({ caption, children, testId }: { caption: string; children: ComponentChildren; testId?: string }) {
  return (
    <div class="table-wrap" role="region" aria-label={caption} tabIndex={0}>
      <table data-testid={testId}>
        <caption>{caption}</caption>
        {children}
      </table>
    </div>
  );
}
