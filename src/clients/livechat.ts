/**
 * The LiveChat client as the package exports it (`whatsapp-provider-kit/livechat`): the generated SDK
 * functions and types, their zod schemas, and `createClient` to point them at a base URL.
 */
export * from '../../generated/livechat/index.ts';
export * from '../../generated/livechat/zod.gen.ts';
export { createClient, createConfig } from '../../generated/livechat/client/index.ts';
export { client } from '../../generated/livechat/client.gen.ts';
