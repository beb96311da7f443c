/** Lambda: `POST /v1/messages`. */
import { functionLog } from '../runtime/log.ts';
import { apiHandler } from './api-handler.ts';
import { configMaxAgeMs, createApiDeps, runtimeFromEnvironment } from './runtime.ts';

export const handler = apiHandler('accept', async () => createApiDeps(await runtimeFromEnvironment(), { log: functionLog('accept') }), {
  maxAgeMs: configMaxAgeMs,
});
