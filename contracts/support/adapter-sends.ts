/** Representative messages for the adapter interactions of each provider's contract. */
import { AccountConfig } from '../../src/config/accounts.ts';
import { SendRequest } from '../../src/messages/send-request.ts';
import type { ProviderAdapter } from '../../src/providers/adapter.ts';
import type { AdapterSend } from './http-contract.ts';

/** A fixed id, so the pact does not change from run to run. */
export const CONTRACT_MESSAGE_ID = '01JD0000000000000000000000';

/** An adapter send of `content` to `recipient` on an account (given without its baseUrl). */
export function adapterSend(
  name: string,
  adapter: ProviderAdapter,
  account: Record<string, unknown>,
  credential: string,
  content: unknown,
  recipient = '+919812345678',
): AdapterSend {
  const message = { messageId: CONTRACT_MESSAGE_ID, recipient, content: SendRequest.shape.content.parse(content) };
  return {
    name,
    run: (baseUrl, fetch) =>
      adapter.send(message, AccountConfig.parse({ ...account, baseUrl }), { credential, ...(fetch ? { fetch } : {}) }),
  };
}
