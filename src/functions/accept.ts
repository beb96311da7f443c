/** Lambda: `POST /v1/messages`. */
import { apiHandler } from './api-handler.ts';
import { createApiDeps, runtimeFromEnvironment } from './runtime.ts';

export const handler = apiHandler('accept', async () => createApiDeps(await runtimeFromEnvironment()));
