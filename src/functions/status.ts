/** Lambda: `GET /v1/messages`, `GET /v1/messages/{id}`, `POST /v1/messages/{id}/cancel`. */
import { functionLog } from '../runtime/log.ts';
import { apiHandler } from './api-handler.ts';
import { configMaxAgeMs, createApiDeps, runtimeFromEnvironment } from './runtime.ts';

export const handler = apiHandler('status', async () => createApiDeps(await runtimeFromEnvironment(), { log: functionLog('status') }), {
  maxAgeMs: configMaxAgeMs,
});
