/** LiveTok's local-only side: its mock; no callbacks to simulate. */
import { defineDevKit, jsonObject, text } from '../../dev-kit.ts';

const SEND = /^\/v1\/messages\/templates$/;

export const livetokDev = defineDevKit({
  name: 'livetok',
  mock: { port: 4010, messageIdPointers: [{ method: 'post', path: SEND, pointer: '/id' }], send: { method: 'post', path: SEND }, recipientOf: (body) => text(jsonObject(body)?.to) },
  simulator: null,
});
