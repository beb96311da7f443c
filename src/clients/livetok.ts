/**
 * The LiveTok client as the package exports it (`whatsapp-provider-kit/livetok`): the generated SDK
 * functions and types, their zod schemas, and `createClient` to point them at a base URL.
 */
export * from '../../generated/livetok/index.js';
export * from '../../generated/livetok/zod.gen.js';
export { createClient, createConfig } from '../../generated/livetok/client/index.js';
export { client } from '../../generated/livetok/client.gen.js';
