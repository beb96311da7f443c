/** Lambda: `GET /v1/messages`, `GET /v1/messages/{id}`, `POST /v1/messages/{id}/cancel`. */
import { apiHandler } from './api-handler.ts';
import { createApiDeps, runtimeFromEnvironment } from './runtime.ts';

export const handler = apiHandler('status', async () => createApiDeps(await runtimeFromEnvironment()));
