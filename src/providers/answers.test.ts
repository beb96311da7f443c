/**
 * Which answers prove a send did not happen (the message may be sent again) and which leave it
 * open (`unknown`: never resent blindly), per provider, through each adapter's real send path:
 * the answer comes from a fetch that never touches the network.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { AccountConfig } from '../config/accounts.ts';
import { SendRequest } from '../messages/send-request.ts';
import { withDeadline } from '../sender/sender.ts';
import type { OutgoingMessage, SendResult } from './adapter.ts';
import { PROVIDERS, type ProviderName } from './names.ts';
import { FIXTURES } from '../../test/support/providers.ts';
import { adapterFor, provesNothingSent } from './index.ts';

type Verdict = 'refused' | 'open';

/** The answer's HTTP status → what it proves, per provider (from its document; see provesNothingSent). */
const BY_STATUS: Array<[status: number, verdicts: Record<ProviderName, Verdict>]> = [
  [400, { livetok: 'refused', livechat: 'refused', gupshup: 'refused', loopwave: 'refused', kaleyra: 'refused' }],
  [401, { livetok: 'refused', livechat: 'refused', gupshup: 'refused', loopwave: 'refused', kaleyra: 'refused' }],
  [402, { livetok: 'refused', livechat: 'refused', gupshup: 'refused', loopwave: 'refused', kaleyra: 'refused' }],
  [403, { livetok: 'refused', livechat: 'refused', gupshup: 'refused', loopwave: 'refused', kaleyra: 'refused' }],
  [404, { livetok: 'refused', livechat: 'refused', gupshup: 'refused', loopwave: 'refused', kaleyra: 'refused' }],
  [408, { livetok: 'refused', livechat: 'refused', gupshup: 'refused', loopwave: 'refused', kaleyra: 'refused' }],
  [409, { livetok: 'refused', livechat: 'refused', gupshup: 'refused', loopwave: 'refused', kaleyra: 'refused' }],
  [429, { livetok: 'refused', livechat: 'refused', gupshup: 'refused', loopwave: 'refused', kaleyra: 'refused' }],
  [500, { livetok: 'open', livechat: 'open', gupshup: 'open', loopwave: 'open', kaleyra: 'open' }],
  [502, { livetok: 'open', livechat: 'open', gupshup: 'open', loopwave: 'open', kaleyra: 'open' }],
  // Only LiveTok documents a 503 of its own ("Service Unavailable"): the service did not take it.
  [503, { livetok: 'refused', livechat: 'open', gupshup: 'open', loopwave: 'open', kaleyra: 'open' }],
  [504, { livetok: 'open', livechat: 'open', gupshup: 'open', loopwave: 'open', kaleyra: 'open' }],
];

/** Failures without an answer: only a connection that never opened proves nothing left. */
const THROWN: Array<[what: string, error: () => Error, verdict: Verdict]> = [
  ['connection refused', () => withCode('ECONNREFUSED'), 'refused'],
  ['DNS: no such host', () => withCode('ENOTFOUND'), 'refused'],
  ['DNS: try again', () => withCode('EAI_AGAIN'), 'refused'],
  ['connect timeout', () => withCode('UND_ERR_CONNECT_TIMEOUT'), 'refused'],
  ['reset after sending', () => withCode('ECONNRESET'), 'open'],
  ['socket closed', () => withCode('UND_ERR_SOCKET'), 'open'],
  ['broken pipe', () => withCode('EPIPE'), 'open'],
  ['our deadline (AbortSignal.timeout)', () => new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 'open'],
];

function withCode(code: string): Error {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
}

function verdictOf(result: SendResult): Verdict | 'accepted' {
  return result.outcome === 'rejected' ? 'refused' : result.outcome === 'unknown' ? 'open' : 'accepted';
}

async function send(provider: ProviderName, fetch: typeof globalThis.fetch): Promise<SendResult> {
  const fixtures = FIXTURES[provider];
  const account = AccountConfig.parse(fixtures.account);
  const content = SendRequest.shape.content.parse(fixtures.content);
  const message: OutgoingMessage = { messageId: '01JABCDEFGHJKMNPQRSTVWXYZ0', recipient: '+919812345678', content };
  return adapterFor(account).send(message, account, { credential: fixtures.credential, fetch });
}

describe('answers that prove nothing was sent, per provider', () => {
  for (const provider of PROVIDERS) {
    const statuses = BY_STATUS.map(([status, verdicts]) => [status, verdicts[provider]] as const);
    it.each(statuses)(`${provider}: HTTP %i → %s`, async (status, verdict) => {
      expect(provesNothingSent(provider, status)).toBe(verdict === 'refused');
      const result = await send(provider, async () => new Response('{}', { status, headers: { 'content-type': 'application/json' } }));
      expect(verdictOf(result)).toBe(verdict);
      if (result.outcome === 'unknown') expect(result.status).toBe(status);
      if (result.outcome === 'rejected') expect(result.error.status).toBe(status);
    });

    const thrown = THROWN.map(([what, error, verdict]) => [what, verdict, error] as const);
    it.each(thrown)(`${provider}: %s → %s`, async (_what, verdict, error) => {
      const result = await send(provider, async () => {
        throw error();
      });
      expect(verdictOf(result)).toBe(verdict);
    });
  }

  it('aborts a request that gets no answer at the deadline, and reads it as open', async () => {
    // A provider that takes the request and never answers.
    const server = createServer((request) => request.resume());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const toHangingServer: typeof globalThis.fetch = (input, init) => globalThis.fetch(new Request(url, new Request(input, init)));
      const result = await send('kaleyra', withDeadline(toHangingServer, 200));
      expect(result).toMatchObject({ outcome: 'unknown', reason: expect.stringContaining('TimeoutError') });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
