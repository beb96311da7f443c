/** Lambda: `GET /v1/messages`, `GET /v1/messages/{id}`, `POST /v1/messages/{id}/cancel`. */
import { apiHandler } from './api-handler.ts';
import { createApiDeps, runtimeFromEnvironment } from './runtime.ts';
import { refreshing } from './refresh.ts';

export const handler = refreshing(() => apiHandler('status', async () => createApiDeps(await runtimeFromEnvironment())));
