/**
 * The Kaleyra client as the package exports it (`whatsapp-provider-kit/kaleyra`): the generated SDK
 * functions and types, their zod schemas, and `createClient` to point them at a base URL.
 */
export * from '../../generated/kaleyra/index.ts';
export * from '../../generated/kaleyra/zod.gen.ts';
export { createClient, createConfig } from '../../generated/kaleyra/client/index.ts';
export { client } from '../../generated/kaleyra/client.gen.ts';
