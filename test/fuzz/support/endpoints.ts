/** Every fuzzed endpoint, in the order a run goes through them. */
import { acceptBatch, acceptSingle } from './accept.ts';
import type { Endpoint } from './endpoint.ts';
import { cancelMessage, getMessage, listMessages } from './reads.ts';
import { webhookEndpoints } from './webhooks.ts';

export const ENDPOINTS: ReadonlyArray<Endpoint<any>> = [
  acceptSingle,
  acceptBatch,
  getMessage,
  listMessages,
  cancelMessage,
  ...webhookEndpoints,
];
