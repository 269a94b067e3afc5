import type { AwilixContainer } from 'awilix';
import { ConfigError, type ModuleName } from '../config.ts';
import type { ServiceAuthorization } from './auth/service-tokens.ts';
import type { Cradle } from './container.ts';

/**
 * Another module's query API: the in-process implementation when that module runs here, else its
 * HTTP client pointed at `MODULE_URL_<OWNER>`, presenting this process's service token. Call it from routes()/handlers(), after every
 * module has registered.
 */
export function queryApiOf<T>(
  container: AwilixContainer<Cradle>,
  registration: string,
  owner: ModuleName,
  overHttp: (baseUrl: string, authorization: ServiceAuthorization) => T,
): T {
  if (container.hasRegistration(registration)) return container.resolve<T>(registration);
  const baseUrl = container.cradle.config.moduleUrls[owner];
  if (baseUrl === undefined) {
    throw new ConfigError(`MODULE_URL_${owner.toUpperCase()} must be set to the base URL of a process running the ${owner} module, because this process does not run it (MODULES)`);
  }
  return overHttp(baseUrl, container.cradle.serviceAuthorization);
}
