/**
 * The LiveTok client as the package exports it (`whatsapp-provider-kit/livetok`): the generated SDK
 * functions and types, their zod schemas, and `createClient` to point them at a base URL.
 */
export * from '../../generated/livetok/index.ts';
export * from '../../generated/livetok/zod.gen.ts';
export { createClient, createConfig } from '../../generated/livetok/client/index.ts';
export { client } from '../../generated/livetok/client.gen.ts';
