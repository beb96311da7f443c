/** Lambda: `POST /v1/messages`. */
import { apiHandler } from './api-handler.ts';
import { createApiDeps, runtimeFromEnvironment } from './runtime.ts';
import { refreshing } from './refresh.ts';

export const handler = refreshing(() => apiHandler('accept', async () => createApiDeps(await runtimeFromEnvironment())));
