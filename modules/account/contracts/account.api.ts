/**
 * The account module's query API: what other modules may ask synchronously. In-process when the
 * account module runs in the same process (registered in the container as ACCOUNT_QUERY_API),
 * over HTTP otherwise (`MODULE_URL_ACCOUNT`), with the same contract.
 */
export interface AccountSnapshot {
  accountId: number;
  userId: number;
  login: string;
  currency: string;
  status: 'ACTIVE' | 'SUSPENDED' | 'CLOSED';
  /** Major units, 2 fraction digits. */
  balance: number;
  reserved: number;
  available: number;
}

export interface AccountQueryApi {
  byId(accountId: number): Promise<AccountSnapshot | null>;
  byLogin(login: string): Promise<AccountSnapshot | null>;
}

export const ACCOUNT_QUERY_API = 'accountQueryApi';

/** The same API over the account module's public HTTP routes, with the calling process's service token. */
export function accountQueryApiOverHttp(baseUrl: string, authorization: () => Promise<string>, timeoutMs = 5000): AccountQueryApi {
  const get = async (path: string): Promise<AccountSnapshot | null> => {
    const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: await authorization() }, signal: AbortSignal.timeout(timeoutMs) });
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`account query ${path} answered ${response.status}`);
    return (await response.json()) as AccountSnapshot;
  };
  return {
    byId: (accountId) => get(`/accounts/${accountId}`),
    byLogin: (login) => get(`/account?login=${encodeURIComponent(login)}`),
  };
}
