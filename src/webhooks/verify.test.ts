import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { CALLING_BACK_PROVIDERS, sendsCallbacks } from '../providers/index.ts';
import { PROVIDERS, type ProviderName } from '../providers/names.ts';
import type { Verdict, WebhookRequest } from './types.ts';
import { verifyWebhook } from './verify.ts';

const WITHOUT_CALLBACKS = PROVIDERS.filter((provider) => !sendsCallbacks(provider));

// A fixed clock years away from the real one: a check that fell back to Date.now() would fail.
const NOW = new Date('2021-06-01T12:00:00.000Z');
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
const shifted = (by: number) => new Date(NOW.getTime() + by * 1000);

const newWhsec = () => `whsec_${randomBytes(32).toString('base64')}`;

const STATUS_BODY =
  '{"type":"message.status","timestamp":1622548800,"data":{"id":"wamid.HBgM","status":"delivered","recipient_id":"919812345678"}}';
// Unusual spacing and key order: JSON.stringify(JSON.parse(...)) would not give these bytes back.
const ODD_BODY = '{ "data" :{"status":"read",   "id":"wamid.X"},\n\t"type": "message.status" ,"timestamp":1622548800 }';
const reserialised = (body: string) => JSON.stringify(JSON.parse(body));

function request(provider: ProviderName, headers: Record<string, string>, body: string | Buffer, pathToken?: string): WebhookRequest {
  return {
    provider,
    account: 'acct-1',
    headers,
    rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
    ...(pathToken === undefined ? {} : { pathToken }),
  };
}

function rejected(verdict: Verdict): string {
  expect(verdict.ok).toBe(false);
  return verdict.ok ? '' : verdict.reason;
}

/** A rejection whose reason leaks none of the given strings. */
function expectRejectedWithout(verdict: Verdict, ...secretsAndSignatures: string[]): string {
  const reason = rejected(verdict);
  expect(reason.length).toBeGreaterThan(0);
  for (const s of secretsAndSignatures) if (s.length > 0) expect(reason).not.toContain(s);
  return reason;
}

/** Flip one byte of a buffer (here: one character of the JSON text). */
function tamper(body: string): Buffer {
  const bytes = Buffer.from(body, 'utf8');
  const at = bytes.indexOf('delivered');
  const index = at >= 0 ? at : Math.floor(bytes.length / 2);
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return bytes;
}

// ---------------------------------------------------------------------------------------------

describe('livechat (Standard Webhooks)', () => {
  const current = newWhsec();
  const previous = newWhsec();

  /** Signed now, at test time, with the library's own sign(). */
  function signed(secret: string, body: string | Buffer = STATUS_BODY, at: Date = NOW, id = 'msg_2mK3f9Yb7Qp1sLx0VtR8cWnE4aZ') {
    const signature = new Webhook(secret).sign(id, at, body);
    return { 'webhook-id': id, 'webhook-timestamp': String(seconds(at)), 'webhook-signature': signature };
  }
  const verify = (
    headers: Record<string, string>,
    body: string | Buffer = STATUS_BODY,
    secrets: readonly string[] = [current],
    now: Date | undefined = NOW,
  ) => verifyWebhook(request('livechat', headers, body), secrets, now);

  it('accepts a request signed with the configured secret', () => {
    expect(verify(signed(current))).toEqual({ ok: true });
  });

  it('rejects the same request when the secret is different', () => {
    expectRejectedWithout(verify(signed(current), STATUS_BODY, [newWhsec()]), current);
  });

  it('rejects a tampered body (one byte changed)', () => {
    const headers = signed(current);
    expect(verify(headers)).toEqual({ ok: true });
    expectRejectedWithout(verify(headers, tamper(STATUS_BODY)), current, headers['webhook-signature'], STATUS_BODY);
  });

  it('rejects a forged signature', () => {
    const headers = signed(current);
    const forged = { ...headers, 'webhook-signature': `v1,${randomBytes(32).toString('base64')}` };
    expectRejectedWithout(verify(forged), current, forged['webhook-signature']);
    const otherKey = { ...headers, 'webhook-signature': signed(newWhsec())['webhook-signature'] };
    rejected(verify(otherKey));
  });

  it('rejects a signature over a different webhook-id or timestamp (the header values are signed)', () => {
    const headers = signed(current);
    rejected(verify({ ...headers, 'webhook-id': 'msg_other' }));
    rejected(verify({ ...headers, 'webhook-timestamp': String(seconds(NOW) + 1) }));
  });

  it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const)('rejects a request without %s', (name) => {
    const headers: Record<string, string> = signed(current);
    expect(verify(headers)).toEqual({ ok: true });
    delete headers[name];
    expect(rejected(verify(headers))).toMatch(/missing/);
  });

  it('rejects an old timestamp (replay, more than 5 minutes)', () => {
    const at = shifted(-301);
    expect(rejected(verify(signed(current, STATUS_BODY, at)))).toMatch(/old/);
    // The same signature is fine while it is still fresh.
    expect(verify(signed(current, STATUS_BODY, at), STATUS_BODY, [current], at)).toEqual({ ok: true });
  });

  it('rejects a timestamp more than 5 minutes in the future', () => {
    expect(rejected(verify(signed(current, STATUS_BODY, shifted(301))))).toMatch(/future/);
  });

  it('accepts timestamps exactly 5 minutes away either side', () => {
    expect(verify(signed(current, STATUS_BODY, shifted(-300)))).toEqual({ ok: true });
    expect(verify(signed(current, STATUS_BODY, shifted(300)))).toEqual({ ok: true });
  });

  it('uses the injected clock, not Date.now(), and the real clock when none is given', () => {
    // NOW is years in the past: the library alone (Date.now) would call this too old.
    expect(() => new Webhook(current).verify(STATUS_BODY, signed(current))).toThrow(/too old/);
    expect(verify(signed(current))).toEqual({ ok: true });
    const withoutClock = (headers: Record<string, string>) => verifyWebhook(request('livechat', headers, STATUS_BODY), [current]);
    expect(rejected(withoutClock(signed(current)))).toMatch(/old/);
    expect(withoutClock(signed(current, STATUS_BODY, new Date()))).toEqual({ ok: true });
  });

  it('rejects a malformed timestamp header', () => {
    const headers = signed(current);
    rejected(verify({ ...headers, 'webhook-timestamp': `${headers['webhook-timestamp']}abc` }));
    rejected(verify({ ...headers, 'webhook-timestamp': '-5' }));
  });

  it('accepts a message signed with the previous secret while both are configured (rotation)', () => {
    const headers = signed(previous);
    expect(verify(headers, STATUS_BODY, [current, previous])).toEqual({ ok: true });
    expectRejectedWithout(verify(headers, STATUS_BODY, [current]), current, previous);
  });

  it('accepts several signatures in the header when one of them is valid', () => {
    const valid = signed(current)['webhook-signature'];
    const forged = `v1,${randomBytes(32).toString('base64')}`;
    const headers = { ...signed(current), 'webhook-signature': `${forged} v2,abc ${valid}` };
    expect(verify(headers)).toEqual({ ok: true });
    rejected(verify({ ...headers, 'webhook-signature': `${forged} v1,${randomBytes(32).toString('base64')}` }));
  });

  it('verifies the raw bytes: an oddly spaced body verifies, the same body re-serialised does not', () => {
    const headers = signed(current, ODD_BODY);
    expect(reserialised(ODD_BODY)).not.toBe(ODD_BODY);
    expect(verify(headers, ODD_BODY)).toEqual({ ok: true });
    rejected(verify(headers, reserialised(ODD_BODY)));
  });

  it('accepts a correctly signed body that is not JSON (parsing is not its job) and an empty body', () => {
    expect(verify(signed(current, 'not json'), 'not json')).toEqual({ ok: true });
    expect(verify(signed(current, ''), '')).toEqual({ ok: true });
  });

  it('rejects a body that is not valid UTF-8 (the library would hash U+FFFD instead of the bytes)', () => {
    const bytes = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const other = Buffer.from('{"a":"\uFFFD\uFFFD"}', 'utf8');
    expect(other.equals(bytes)).toBe(false);
    const at = new Date();
    const headers = signed(current, bytes, at);
    // The library alone accepts other bytes that decode to the same text under the same signature.
    expect(() => new Webhook(current).verify(other, headers, { jsonParse: false })).not.toThrow();
    expect(rejected(verify(headers, bytes, [current], at))).toMatch(/UTF-8/);
    // Valid UTF-8 (with a BOM, which a decoder would drop by default) is hashed byte for byte.
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(STATUS_BODY)]);
    expect(verify(signed(current, withBom), withBom)).toEqual({ ok: true });
    rejected(verify(signed(current, withBom), STATUS_BODY));
  });

  it('skips a malformed secret and still tries the others, without throwing', () => {
    const headers = signed(current);
    expect(verify(headers, STATUS_BODY, ['whsec_%%%not-base64%%%', current])).toEqual({ ok: true });
    rejected(verify(headers, STATUS_BODY, ['whsec_%%%not-base64%%%']));
  });
});

// ---------------------------------------------------------------------------------------------

describe('loopwave (X-Loopwave-Signature)', () => {
  const secret = `lw_whsec_${randomBytes(16).toString('hex')}`;
  const hmac = (key: string, body: string | Buffer) => createHmac('sha256', key).update(body).digest('hex');
  const signed = (body: string | Buffer = STATUS_BODY, key = secret) => ({ 'x-loopwave-signature': `sha256=${hmac(key, body)}` });
  const verify = (headers: Record<string, string>, body: string | Buffer = STATUS_BODY, secrets: readonly string[] = [secret]) =>
    verifyWebhook(request('loopwave', headers, body), secrets, NOW);

  it('accepts a request signed with the configured secret', () => {
    expect(verify(signed())).toEqual({ ok: true });
  });

  it('accepts a request signed with an older secret during a rotation, and rejects it once removed', () => {
    const older = 'older-secret';
    expect(verify(signed(STATUS_BODY, older), STATUS_BODY, [secret, older])).toEqual({ ok: true });
    rejected(verify(signed(STATUS_BODY, older), STATUS_BODY, [secret]));
  });

  it('rejects a tampered body (one byte changed)', () => {
    const headers = signed();
    expectRejectedWithout(verify(headers, tamper(STATUS_BODY)), secret, headers['x-loopwave-signature'], STATUS_BODY);
  });

  it('rejects a forged signature', () => {
    const forged = { 'x-loopwave-signature': `sha256=${randomBytes(32).toString('hex')}` };
    expectRejectedWithout(verify(forged), secret, forged['x-loopwave-signature']);
    rejected(verify(signed(STATUS_BODY, 'another-secret')));
  });

  it('rejects a missing header', () => {
    expect(rejected(verify({}))).toMatch(/missing/);
    rejected(verify({ 'x-loopwave-signature': '' }));
  });

  it('rejects sha256= with wrong-length hex and other malformed headers without throwing', () => {
    const good = hmac(secret, STATUS_BODY);
    for (const value of [
      `sha256=${good.slice(0, 62)}`,
      `sha256=${good}00`,
      `sha256=${good.slice(0, 63)}`,
      'sha256=',
      `sha1=${good}`,
      good,
      `sha256=${good.slice(0, 63)}z`,
      `sha256=${good},sha256=${good}`,
    ]) {
      expect(() => verify({ 'x-loopwave-signature': value })).not.toThrow();
      expect(expectRejectedWithout(verify({ 'x-loopwave-signature': value }), secret, good)).toMatch(/not sha256=<64 hex digits>/);
    }
  });

  it('verifies the raw bytes: an oddly spaced body verifies, the same body re-serialised does not', () => {
    const headers = signed(ODD_BODY);
    expect(verify(headers, ODD_BODY)).toEqual({ ok: true });
    rejected(verify(headers, reserialised(ODD_BODY)));
  });

  it('hashes bytes, not text: a body that is not valid UTF-8 verifies against its own bytes', () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    expect(verify(signed(bytes), bytes)).toEqual({ ok: true });
    rejected(verify(signed(bytes), Buffer.from(bytes.toString('utf8'), 'utf8')));
  });
});

// ---------------------------------------------------------------------------------------------

describe.each(['gupshup', 'kaleyra'] as const)('%s (secret token in the callback URL or x-webhook-token)', (provider) => {
  const token = randomBytes(24).toString('base64url');
  const verify = (pathToken: string | undefined, headers: Record<string, string> = {}, secrets: readonly string[] = [token]) =>
    verifyWebhook(request(provider, headers, STATUS_BODY, pathToken), secrets, NOW);

  it('accepts the right token in the path', () => {
    expect(verify(token)).toEqual({ ok: true });
  });

  it('accepts the right token in the x-webhook-token header', () => {
    expect(verify(undefined, { 'x-webhook-token': token })).toEqual({ ok: true });
  });

  it('rejects a wrong token, in the path or in the header', () => {
    expectRejectedWithout(verify('wrong-token'), token, 'wrong-token');
    expectRejectedWithout(verify(undefined, { 'x-webhook-token': 'wrong-token' }), token, 'wrong-token');
    rejected(verify(token.slice(0, -1)));
    rejected(verify(`${token}x`));
  });

  it('rejects a wrong token even when a right one comes with it', () => {
    rejected(verify('wrong-token', { 'x-webhook-token': token }));
    rejected(verify(token, { 'x-webhook-token': 'wrong-token' }));
  });

  it('rejects a missing token', () => {
    expect(rejected(verify(undefined))).toMatch(/missing/);
    expect(rejected(verify('', { 'x-webhook-token': '' }))).toMatch(/missing/);
  });

  it('accepts any of several configured tokens (rotation)', () => {
    const older = 'older-token';
    expect(verify(older, {}, [token, older])).toEqual({ ok: true });
    rejected(verify(older, {}, [token]));
  });
});

// ---------------------------------------------------------------------------------------------

// Every provider whose module has no webhook side (e.g. LiveTok).
describe.each(WITHOUT_CALLBACKS)('%s', (provider) => {
  it('always rejects: it sends no status webhooks', () => {
    const secret = newWhsec();
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(seconds(NOW)),
      'webhook-signature': new Webhook(secret).sign('msg_1', NOW, STATUS_BODY),
    };
    const refused = { ok: false, reason: `${provider} sends no status webhooks` };
    expect(verifyWebhook(request(provider, headers, STATUS_BODY, secret), [secret], NOW)).toEqual(refused);
    expect(verifyWebhook(request(provider, {}, STATUS_BODY), [], NOW)).toEqual(refused);
  });
});

it('has providers with and without status webhooks to check (the lists above are not empty)', () => {
  expect(WITHOUT_CALLBACKS.length).toBeGreaterThan(0);
  expect(CALLING_BACK_PROVIDERS.length).toBeGreaterThan(0);
});

describe('configuration and malformed input', () => {
  it.each(CALLING_BACK_PROVIDERS)('%s: rejects when the account has no webhook secret', (provider) => {
    const verdict = verifyWebhook(request(provider, { 'x-webhook-token': '' }, STATUS_BODY, ''), [], NOW);
    expect(verdict).toEqual({ ok: false, reason: 'no webhook secret is configured for this account' });
    expect(verifyWebhook(request(provider, {}, STATUS_BODY, ''), [''], NOW)).toEqual(verdict);
  });

  it('never throws on malformed requests', () => {
    const broken = [
      { provider: 'livechat', account: 'a', headers: undefined, rawBody: undefined },
      {
        provider: 'livechat',
        account: 'a',
        headers: { 'webhook-id': 'x', 'webhook-timestamp': String(seconds(NOW)), 'webhook-signature': 'v1,abc' },
        rawBody: undefined,
      },
      { provider: 'loopwave', account: 'a', headers: { 'x-loopwave-signature': `sha256=${'0'.repeat(64)}` }, rawBody: 'text' },
      { provider: 'gupshup', account: 'a', headers: null, rawBody: null, pathToken: 42 },
      { provider: 'nobody', account: 'a', headers: {}, rawBody: Buffer.alloc(0) },
      null,
    ] as unknown as WebhookRequest[];
    for (const req of broken) {
      expect(() => verifyWebhook(req, ['whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ='], NOW)).not.toThrow();
      expect(verifyWebhook(req, ['whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ='], NOW).ok).toBe(false);
    }
    expect(verifyWebhook(request('livechat', {}, STATUS_BODY), undefined as unknown as string[], NOW).ok).toBe(false);
    expect(
      verifyWebhook(
        request('livechat', { 'webhook-id': 'x', 'webhook-timestamp': '1', 'webhook-signature': 'v1,a' }, STATUS_BODY),
        [newWhsec()],
        new Date(Number.NaN),
      ).ok,
    ).toBe(false);
  });
});
