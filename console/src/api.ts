/**
 * Talking to the platform: every request carries the operator's bearer token, a 401 ends the
 * session (back to sign-in), and a problem+json answer becomes an ApiError carrying its `detail`.
 * The token lives in sessionStorage only: it goes when the browser session does.
 */
import { useEffect, useState } from 'preact/hooks';

const TOKEN_KEY = 'payments-console.token';

export interface Session {
  token: string;
  subject: string;
  role: string;
}

type Listener = (session: Session | undefined) => void;
const listeners = new Set<Listener>();
let current: Session | undefined = readStoredSession();

function readStoredSession(): Session | undefined {
  try {
    const stored = sessionStorage.getItem(TOKEN_KEY);
    return stored === null ? undefined : (JSON.parse(stored) as Session);
  } catch {
    return undefined;
  }
}

function setSession(session: Session | undefined): void {
  current = session;
  if (session === undefined) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, JSON.stringify(session));
  for (const listener of listeners) listener(session);
}

/** The signed-in operator, re-rendering when it changes. */
export function useSession(): Session | undefined {
  const [session, set] = useState(current);
  useEffect(() => {
    listeners.add(set);
    return () => void listeners.delete(set);
  }, []);
  return session;
}

export function signOut(): void {
  setSession(undefined);
}

/** Checks a pasted token with GET /admin/session and keeps it for the browser session. */
export async function signIn(token: string): Promise<Session> {
  const who = await request<{ subject: string; role: string }>('GET', '/admin/session', { token, signOutOn401: false });
  if (who.role !== 'operator') throw new ApiError(403, `A ${who.role} token cannot use the console: it needs an operator token`);
  const session = { token, subject: who.subject, role: who.role };
  setSession(session);
  return session;
}

export interface FieldError {
  path: string;
  message: string;
}

/** A refused request: `detail` of the problem document (or the status line), and field errors when given. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly errors: FieldError[] = []) {
    super(message);
  }
}

interface RequestOptions {
  body?: unknown;
  token?: string;
  signOutOn401?: boolean;
}

/**
 * A problem's field errors as JSON pointers into the payload: `{ path, message }` as sent, or the
 * request-validation form `{ in: 'body', field: '/payload/amount', message }` of a refused redrive.
 */
function fieldErrorsOf(errors: unknown): FieldError[] {
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((error: { path?: unknown; field?: unknown; message?: unknown }) => {
    const message = typeof error.message === 'string' ? error.message : 'invalid';
    if (typeof error.path === 'string') return [{ path: error.path, message }];
    if (typeof error.field === 'string') return [{ path: error.field.replace(/^\/payload(?=\/|$)/, ''), message }];
    return [];
  });
}

async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const token = options.token ?? current?.token;
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  if (method !== 'GET') {
    headers['content-type'] = 'application/json';
    // One key per user action: a retried request of the same action is answered once.
    headers['idempotency-key'] = crypto.randomUUID();
  }
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: method === 'GET' ? undefined : JSON.stringify(options.body ?? {}) });
  } catch (error) {
    throw new ApiError(0, `The platform could not be reached (${(error as Error).message})`);
  }
  if (response.status === 401 && options.signOutOn401 !== false) signOut();
  const text = await response.text();
  const parsed = parseJson(text);
  if (!response.ok) {
    const problem = (parsed ?? {}) as { detail?: string; title?: string; errors?: unknown };
    const message = problem.detail ?? problem.title ?? `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message, fieldErrorsOf(problem.errors));
  }
  return parsed as T;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const get = <T>(path: string): Promise<T> => request<T>('GET', path);
export const post = <T>(path: string, body: unknown): Promise<T> => request<T>('POST', path, { body });

/** `?a=1&b=x` from the defined entries. */
export function query(parameters: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) if (value !== undefined && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * GETs `path` (again whenever it changes, and every `pollMs` when given); keeps the last data
 * while a refresh is under way or fails, so a poll that fails once does not blank the page.
 */
export function useGet<T>(path: string | undefined, pollMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: ApiError | undefined; loading: boolean }>({ data: undefined, error: undefined, loading: path !== undefined });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (path === undefined) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setState((previous) => ({ ...previous, loading: true }));
    const load = async () => {
      try {
        const data = await get<T>(path);
        if (live) setState({ data, error: undefined, loading: false });
      } catch (error) {
        if (live) setState((previous) => ({ data: previous.data, error: error as ApiError, loading: false }));
      }
      if (live && pollMs !== undefined) timer = setTimeout(load, pollMs);
    };
    void load();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [path, pollMs, generation]);
  return { ...state, reload: () => setGeneration((n) => n + 1) };
}
