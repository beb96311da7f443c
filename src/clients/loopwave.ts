/**
 * The Loopwave client as the package exports it (`whatsapp-provider-kit/loopwave`): the generated SDK
 * functions and types, their zod schemas, and `createClient` to point them at a base URL.
 */
export * from '../../generated/loopwave/index.ts';
export * from '../../generated/loopwave/zod.gen.ts';
export { createClient, createConfig } from '../../generated/loopwave/client/index.ts';
export { client } from '../../generated/loopwave/client.gen.ts';
