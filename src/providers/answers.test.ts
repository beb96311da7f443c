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
import { adapterFor, providerModule, provesNothingSent } from './index.ts';
import { forward } from '../../test/support/forward.ts';

type Verdict = 'refused' | 'open';

/**
 * What each provider documents as a 5xx that proves nothing was sent, pinned from its document
 * (LiveTok's 503 "Service Unavailable" is among its API's own answers; the others document none):
 * the module must say the same. A provider not pinned here is checked against its module alone.
 */
const PINNED_5XX_REFUSALS: Partial<Record<ProviderName, readonly number[]>> = {
  livetok: [503],
  livechat: [],
  gupshup: [],
  loopwave: [],
  kaleyra: [],
};

/** The answers tried: every 4xx the providers document and the usual 5xx, plus each 5xx a module names. */
const DOCUMENTED_5XX = PROVIDERS.flatMap((p) => providerModule(p).documented5xxRefusals);
const STATUSES = [...new Set([400, 401, 402, 403, 404, 408, 409, 429, 500, 502, 503, 504, ...DOCUMENTED_5XX])];

/** What an answer with `status` proves: every 4xx refuses; a 5xx only where the module documents it as a refusal. */
const verdict = (provider: ProviderName, status: number): Verdict =>
  status < 500 || providerModule(provider).documented5xxRefusals.includes(status) ? 'refused' : 'open';

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
  it('are the 5xx each provider documents as refusals (pinned from the documents)', () => {
    for (const [provider, refusals] of Object.entries(PINNED_5XX_REFUSALS) as Array<[ProviderName, readonly number[]]>) {
      expect(providerModule(provider).documented5xxRefusals, provider).toEqual(refusals);
    }
  });

  for (const provider of PROVIDERS) {
    const statuses = STATUSES.map((status) => [status, verdict(provider, status)] as const);
    it.each(statuses)(`${provider}: HTTP %i → %s`, async (status, expected) => {
      expect(provesNothingSent(provider, status)).toBe(expected === 'refused');
      const result = await send(provider, async () => new Response('{}', { status, headers: { 'content-type': 'application/json' } }));
      expect(verdictOf(result)).toBe(expected);
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
      const toHangingServer: typeof globalThis.fetch = (input, init) => forward(input, init, url);
      const result = await send('kaleyra', withDeadline(toHangingServer, 200));
      expect(result).toMatchObject({ outcome: 'unknown', reason: expect.stringContaining('TimeoutError') });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
