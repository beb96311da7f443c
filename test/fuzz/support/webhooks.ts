/**
 * `POST /v1/webhooks/{provider}/{account}[/{token}]` for each provider: unauthenticated garbage,
 * correctly signed but malformed bodies, and valid callbacks about real messages, signed the way
 * each provider signs (LiveChat: Standard Webhooks; Loopwave: HMAC of the raw body; Gupshup and
 * Kaleyra: a secret token in the path or a header; LiveTok: sends no status callbacks at all).
 * Valid bodies come from the local simulator's `providerCallback`, which writes them as each
 * provider's documents show.
 */
import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { providerCallback } from '../../../src/local/simulator.ts';
import type { Endpoint, RunContext } from './endpoint.ts';
import { accountId, isCallbackProvider, PROVIDERS, providerOf, seedPhone, type CallbackProvider, type ProviderName } from './model.ts';
import type { Case, Expect, Step } from './oracle.ts';
import type { SentMessage } from './stack.ts';

/**
 * The status words each calling-back provider's documents show (Kaleyra's `not-sent` too, which
 * the simulator never posts): an oracle written from the documents, not read from the modules. A
 * provider that sends no callbacks gets a `sent` its route must refuse like anything else.
 */
const STATUS_WORDS: Record<CallbackProvider, readonly string[]> = {
  livechat: ['sent', 'delivered', 'read', 'failed'],
  gupshup: ['enqueued', 'sent', 'delivered', 'read', 'failed'],
  kaleyra: ['sent', 'delivered', 'read', 'failed', 'not-sent'],
  loopwave: ['sent'],
};
const statusWords = (provider: ProviderName): readonly string[] => (isCallbackProvider(provider) ? STATUS_WORDS[provider] : ['sent']);

type Route =
  | { kind: 'account'; which: 'a' | 'b' }
  | { kind: 'unknown-account'; account: string }
  /** An account of another provider under this provider's path. */
  | { kind: 'other-provider' }
  /** A path as written after `/v1/webhooks/`: malformed percent-encoding, extra segments, unknown providers. */
  | { kind: 'raw'; suffix: string };

type Auth =
  | 'valid'
  | 'valid-header'
  | 'valid-both'
  | 'none'
  | 'wrong-secret'
  | 'wrong-header'
  | 'right-path-wrong-header'
  | 'stale'
  | 'future'
  | 'malformed'
  | 'signed-other-body';

type Body =
  /**
   * A callback about `target` (a sent message of the route's account), a `victim` (only ever in
   * refused cases), a `fresh` or a `long` provider id.
   */
  | { kind: 'status'; target: 'target' | 'victim' | 'fresh' | 'long'; n: number; status: string; offsetS: number; length: number }
  /** A valid callback about a fresh id with fields deleted, replaced or added. */
  | { kind: 'mutated'; status: string; mutations: Mutation[] }
  | { kind: 'bytes'; bytes: number[] }
  | { kind: 'json'; value: unknown };

interface Mutation {
  op: 'delete' | 'replace' | 'add';
  at: number;
  key: string;
  value: unknown;
}

export interface WebhookInput {
  route: Route;
  auth: Auth;
  body: Body;
}

/** How each calling-back provider's scheme is met and broken (an oracle per scheme); a provider without callbacks has no valid way in. */
const VALID_AUTH: Record<CallbackProvider, Auth[]> = {
  livechat: ['valid'],
  loopwave: ['valid'],
  gupshup: ['valid', 'valid-header', 'valid-both'],
  kaleyra: ['valid', 'valid-header', 'valid-both'],
};
const INVALID_AUTH: Record<CallbackProvider, Auth[]> = {
  livechat: ['none', 'wrong-secret', 'stale', 'future', 'malformed', 'signed-other-body'],
  loopwave: ['none', 'wrong-secret', 'malformed', 'signed-other-body'],
  gupshup: ['none', 'wrong-secret', 'wrong-header', 'right-path-wrong-header'],
  kaleyra: ['none', 'wrong-secret', 'wrong-header', 'right-path-wrong-header'],
};
const validAuth = (provider: ProviderName): Auth[] => (isCallbackProvider(provider) ? VALID_AUTH[provider] : []);
/** A provider without callbacks must refuse even a token of its own account. */
const invalidAuth = (provider: ProviderName): Auth[] =>
  isCallbackProvider(provider) ? INVALID_AUTH[provider] : ['valid', 'valid-header', 'none', 'wrong-secret'];

const odd = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom<unknown>('', -1, 0, 1e21, 2 ** 53 + 1, '9'.repeat(40), null, [], {}, 'x'.repeat(5000), 'SENT', '2026-01-01T00:00:00Z'),
);
const mutation = fc.record({
  op: fc.constantFrom<Mutation['op']>('delete', 'replace', 'add'),
  at: fc.nat(),
  key: fc.oneof(fc.constantFrom('entry', 'object', 'errors', 'status'), fc.string({ maxLength: 8 })),
  value: odd,
});

function statusBody(provider: ProviderName, targets: readonly ('target' | 'fresh' | 'long' | 'victim')[]) {
  const words = statusWords(provider);
  return fc.record({
    kind: fc.constant('status' as const),
    target: fc.constantFrom(...targets),
    n: fc.nat(50),
    status: fc.constantFrom(...words),
    offsetS: fc.integer({ min: -2 * 86_400, max: 60 }),
    length: fc.integer({ min: 2049, max: 6000 }),
  });
}

function labelOf(input: WebhookInput, provider: ProviderName): { label: string; expect: Expect } {
  if (!isCallbackProvider(provider)) return { label: `${provider} sends no status callbacks`, expect: 'refuse' };
  if (input.route.kind === 'unknown-account') return { label: 'route: no such account', expect: 'refuse' };
  if (input.route.kind === 'other-provider') return { label: 'route: an account of another provider', expect: 'refuse' };
  if (input.route.kind === 'raw')
    return { label: 'route: malformed path (bad percent-encoding, extra segments, unknown provider)', expect: 'refuse' };
  if (!validAuth(provider).includes(input.auth)) return { label: `authenticity: ${input.auth}`, expect: 'refuse' };
  const body = input.body;
  switch (body.kind) {
    case 'status':
      if (body.target === 'long') return { label: 'provider message id longer than 2 KB', expect: 'either' };
      return {
        label: body.target === 'target' ? 'valid: a callback about a sent message' : 'valid: a callback about an id not known yet',
        expect: 'accept',
      };
    case 'mutated':
      return { label: 'signed, body mutated (fields deleted, replaced, added)', expect: 'either' };
    case 'bytes':
      return { label: 'signed, body not JSON', expect: 'refuse' };
    case 'json':
      return body.value !== null && typeof body.value === 'object' && !Array.isArray(body.value)
        ? { label: 'signed, body a JSON object of the wrong shape', expect: 'either' }
        : { label: 'signed, body JSON but not an object', expect: 'refuse' };
  }
}

export function webhookCases(provider: ProviderName): fc.Arbitrary<Case<WebhookInput>> {
  const routeA = fc.constant<Route>({ kind: 'account', which: 'a' });
  const routeAB = fc.constantFrom<Route>({ kind: 'account', which: 'a' }, { kind: 'account', which: 'b' });
  const badRoute = fc.oneof(
    fc
      .constantFrom('fz-nobody', 'acme-kaleyra', 'FZ-KALEYRA-A', 'x'.repeat(70))
      .map((account): Route => ({ kind: 'unknown-account', account })),
    fc.constant<Route>({ kind: 'other-provider' }),
    fc
      .constantFrom(
        '%',
        '%E0%A4%A',
        `fz-${provider}-a/%`,
        `fz-${provider}-a/%zz`,
        `fz-${provider}-a/tok/extra`,
        `fz-${provider}-a/%E0%A4%A`,
        '%2e%2e/fz-x-a',
        '',
      )
      .map((suffix): Route => ({ kind: 'raw', suffix: `${provider}/${suffix}` })),
    fc
      .constantFrom('KALEYRA/fz-kaleyra-a', 'meta/fz-kaleyra-a', '%/%', 'livechat%2Ffz-livechat-a')
      .map((suffix): Route => ({ kind: 'raw', suffix })),
  );
  const valid = validAuth(provider);
  const invalid = invalidAuth(provider);
  const garbage = fc.oneof(
    fc.uint8Array({ maxLength: 300 }).map((bytes): Body => ({ kind: 'bytes', bytes: [...bytes] })),
    fc.constantFrom<Body>(
      { kind: 'bytes', bytes: [] },
      { kind: 'bytes', bytes: [...Buffer.from('{"type":')] },
      { kind: 'bytes', bytes: [0xff, 0xfe, 0x7b, 0x7d] },
    ),
    fc.constantFrom<unknown>(null, 1, 'x', [], [{}], true).map((value): Body => ({ kind: 'json', value })),
    fc.jsonValue({ maxDepth: 3 }).map((value): Body => ({ kind: 'json', value })),
  );
  const make = (route: fc.Arbitrary<Route>, auth: fc.Arbitrary<Auth>, body: fc.Arbitrary<Body>) =>
    fc.record({ route, auth, body }).map((input) => ({ ...labelOf(input, provider), input }));
  const arbitraries: Array<{ arbitrary: fc.Arbitrary<Case<WebhookInput>>; weight: number }> = [
    // Unauthenticated: garbage or a real-looking callback naming a victim.
    { arbitrary: make(routeAB, fc.constantFrom(...invalid), fc.oneof(garbage, statusBody(provider, ['victim', 'fresh']))), weight: 5 },
    {
      arbitrary: make(badRoute, fc.constantFrom(...valid, ...invalid), fc.oneof(garbage, statusBody(provider, ['victim', 'fresh']))),
      weight: 3,
    },
  ];
  if (valid.length > 0) {
    arbitraries.push(
      { arbitrary: make(routeA, fc.constantFrom(...valid), statusBody(provider, ['target'])), weight: 5 },
      { arbitrary: make(routeAB, fc.constantFrom(...valid), statusBody(provider, ['fresh'])), weight: 2 },
      { arbitrary: make(routeAB, fc.constantFrom(...valid), statusBody(provider, ['long'])), weight: 1 },
      {
        arbitrary: make(
          routeAB,
          fc.constantFrom(...valid),
          fc.record({
            kind: fc.constant('mutated' as const),
            status: fc.constantFrom(...statusWords(provider)),
            mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
          }),
        ),
        weight: 4,
      },
      { arbitrary: make(routeAB, fc.constantFrom(...valid), garbage), weight: 2 },
    );
  }
  return fc.oneof(...arbitraries);
}

// ---------------------------------------------------------------- to HTTP

function accountFor(provider: ProviderName, route: Route): string {
  if (route.kind === 'account') return accountId(provider, route.which);
  if (route.kind === 'unknown-account') return route.account;
  return accountId(provider === 'kaleyra' ? 'gupshup' : 'kaleyra', 'a');
}

/** The callback body, and the provider ids it names. */
function bodyOf(
  provider: ProviderName,
  input: WebhookInput,
  ctx: RunContext,
): { bytes: Buffer; named?: { providerMessageId: string; victim?: SentMessage } } {
  const body = input.body;
  if (body.kind === 'bytes') return { bytes: Buffer.from(body.bytes) };
  if (body.kind === 'json') return { bytes: Buffer.from(JSON.stringify(body.value)) };
  const p: CallbackProvider = isCallbackProvider(provider) ? provider : 'kaleyra';
  const pools = ctx.stack.pools;
  const now = Math.floor(Date.now() / 1000);
  let message: { providerMessageId: string; recipient: string; id?: string };
  let victim: SentMessage | undefined;
  if (body.kind === 'status' && body.target === 'target') {
    const list = pools.callbackTargets[p];
    const t = list[body.n % list.length]!;
    message = { providerMessageId: t.providerMessageId, recipient: t.recipient, id: t.id };
  } else if (body.kind === 'status' && body.target === 'victim') {
    const list = pools.callbackVictims[p];
    victim = list[body.n % list.length]!;
    message = { providerMessageId: victim.providerMessageId, recipient: victim.recipient, id: victim.id };
  } else if (body.kind === 'status' && body.target === 'long') {
    const id = `FZLONG${ctx.unique()}`;
    message = { providerMessageId: id.padEnd(body.length, 'L'), recipient: seedPhone(700_000 + (body.n % 1000)) };
  } else {
    message = { providerMessageId: `FZ${ctx.unique()}`, recipient: seedPhone(600_000 + (body.kind === 'status' ? body.n : 0)) };
  }
  const status = body.status;
  const at = now + (body.kind === 'status' ? body.offsetS : 0);
  const built = providerCallback(p, {
    status,
    providerMessageId: message.providerMessageId,
    ...(message.id ? { messageId: message.id } : {}),
    recipient: message.recipient.slice(1),
    at,
    secret: BODY_ONLY_SECRET,
  });
  let bytes = Buffer.from(built.body);
  if (body.kind === 'mutated') bytes = Buffer.from(JSON.stringify(mutate(JSON.parse(built.body), body.mutations)) ?? 'null');
  return { bytes, named: { providerMessageId: message.providerMessageId, ...(victim ? { victim } : {}) } };
}

/** `providerCallback` also signs; only its body is used here, signed afterwards as the case says. */
const BODY_ONLY_SECRET = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;

function mutate(root: unknown, mutations: readonly Mutation[]): unknown {
  let value = root;
  // Each mutation gets its own copy of its value: generated values may share objects, and putting
  // one inside itself would make the body a cycle (no JSON, endless paths).
  for (const m of mutations.map((mutation) => ({ ...mutation, value: structuredClone(mutation.value) }))) {
    const paths = pathsOf(value);
    const path = paths[m.at % paths.length]!;
    if (path.length === 0) {
      value = m.op === 'delete' ? {} : m.op === 'replace' ? m.value : value;
      continue;
    }
    const parent = path.slice(0, -1).reduce<any>((node, key) => node[key], value);
    const key = path[path.length - 1]!;
    if (m.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else if (m.op === 'replace') {
      parent[key] = m.value;
    } else {
      const node = parent[key];
      if (node && typeof node === 'object' && !Array.isArray(node))
        Object.defineProperty(node, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
      else parent[key] = m.value;
    }
  }
  return value;
}

function pathsOf(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const paths = [prefix];
  if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) paths.push(...pathsOf(child, [...prefix, Array.isArray(value) ? Number(key) : key]));
  }
  return paths;
}

/** Headers and path suffix for `auth`: signed as the provider signs, or broken as labelled. */
function authenticate(
  provider: ProviderName,
  _account: string,
  auth: Auth,
  bytes: Buffer,
  secret: string,
): { headers: Record<string, string>; pathToken?: string } {
  const otherSecret = provider === 'livechat' ? `whsec_${randomBytes(24).toString('base64')}` : randomBytes(24).toString('hex');
  if (provider === 'livechat') {
    const sign = (key: string, body: string, at: Date) => {
      const id = `msg_${randomBytes(8).toString('hex')}`;
      return {
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(key).sign(id, at, body),
      };
    };
    const text = bytes.toString('utf8');
    switch (auth) {
      case 'valid':
        return { headers: sign(secret, text, new Date()) };
      case 'wrong-secret':
        return { headers: sign(otherSecret, text, new Date()) };
      case 'stale':
        return { headers: sign(secret, text, new Date(Date.now() - 10 * 60_000)) };
      case 'future':
        return { headers: sign(secret, text, new Date(Date.now() + 10 * 60_000)) };
      case 'malformed':
        return { headers: { 'webhook-id': 'x', 'webhook-timestamp': '12ab', 'webhook-signature': 'v1,not-base64!' } };
      case 'signed-other-body':
        return { headers: sign(secret, `${text} `, new Date()) };
      default:
        return { headers: {} };
    }
  }
  if (provider === 'loopwave') {
    const hmac = (key: string, body: Buffer) => `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
    switch (auth) {
      case 'valid':
        return { headers: { 'x-loopwave-signature': hmac(secret, bytes) } };
      case 'wrong-secret':
        return { headers: { 'x-loopwave-signature': hmac(otherSecret, bytes) } };
      case 'malformed':
        return { headers: { 'x-loopwave-signature': 'sha256=xyz' } };
      case 'signed-other-body':
        return { headers: { 'x-loopwave-signature': hmac(secret, Buffer.concat([bytes, Buffer.from(' ')])) } };
      default:
        return { headers: {} };
    }
  }
  // Gupshup, Kaleyra (and LiveTok, which must refuse even its own account's token): a secret token.
  switch (auth) {
    case 'valid':
      return { headers: {}, pathToken: secret };
    case 'valid-header':
      return { headers: { 'x-webhook-token': secret } };
    case 'valid-both':
      return { headers: { 'x-webhook-token': secret }, pathToken: secret };
    case 'wrong-secret':
      return { headers: {}, pathToken: otherSecret };
    case 'wrong-header':
      return { headers: { 'x-webhook-token': otherSecret } };
    case 'right-path-wrong-header':
      return { headers: { 'x-webhook-token': otherSecret }, pathToken: secret };
    default:
      return { headers: {} };
  }
}

export function webhookEndpoint(provider: ProviderName): Endpoint<WebhookInput> {
  return {
    name: `POST /v1/webhooks/${provider}/{account}`,
    kind: 'webhook',
    cases: () => webhookCases(provider),
    regressions: () => [
      {
        ...labelOf({ route: { kind: 'raw', suffix: `${provider}/%` }, auth: 'none', body: { kind: 'json', value: {} } }, provider),
        input: { route: { kind: 'raw', suffix: `${provider}/%` }, auth: 'none', body: { kind: 'json', value: {} } },
      },
      ...(!isCallbackProvider(provider)
        ? []
        : [
            {
              label: 'provider message id longer than 2 KB',
              expect: 'either' as const,
              input: {
                route: { kind: 'account' as const, which: 'a' as const },
                auth: 'valid' as const,
                body: {
                  kind: 'status' as const,
                  target: 'long' as const,
                  n: 0,
                  status: statusWords(provider)[1] ?? 'sent',
                  offsetS: 0,
                  length: 3000,
                },
              },
            },
          ]),
    ],
    steps(c, ctx): Step[] {
      const input = c.input;
      const account = accountFor(provider, input.route);
      const { bytes, named } = bodyOf(provider, input, ctx);
      // A route naming an account of another provider (or none) is signed with this provider's account A secret.
      const secret =
        (providerOf(account) === provider ? ctx.stack.webhookSecrets[account] : undefined) ??
        ctx.stack.webhookSecrets[accountId(provider, 'a')]!;
      const signed = authenticate(provider, account, input.auth, bytes, secret);
      const path =
        input.route.kind === 'raw'
          ? `/v1/webhooks/${input.route.suffix}`
          : `/v1/webhooks/${provider}/${account}${signed.pathToken ? `/${encodeURIComponent(signed.pathToken)}` : ''}`;
      // A victim must stay as it is; an id nobody sent must not get a kept callback or an alias.
      const touches = named
        ? named.victim
          ? { messages: [named.victim.id] }
          : { pending: [{ provider: isCallbackProvider(provider) ? provider : 'kaleyra', providerMessageId: named.providerMessageId }] }
        : undefined;
      return [
        {
          request: { method: 'POST', path, headers: { 'content-type': 'application/json', ...signed.headers }, body: bytes },
          expect: c.expect,
          label: c.label,
          ...(touches ? { touches } : {}),
        },
      ];
    },
  };
}

export const webhookEndpoints = PROVIDERS.map(webhookEndpoint);

/** A valid, correctly signed callback on account B's route about account A's message (`cross`). */
export function crossAccountCallback(
  cross: SentMessage,
  status: string,
  secretOfB: string,
  optOut: boolean,
): { path: string; headers: Record<string, string>; body: Buffer } {
  const b = accountId(cross.provider, 'b');
  const built = providerCallback(cross.provider, {
    status,
    providerMessageId: cross.providerMessageId,
    messageId: cross.id,
    recipient: cross.recipient.slice(1),
    at: Math.floor(Date.now() / 1000),
    secret: secretOfB,
  });
  let body = built.body;
  // Meta's 131050 and Gupshup's 1012: the recipient opted out (a suppression, if it were applied).
  if (optOut && status === 'failed') body = body.replace('131026', '131050').replace('"code":1002', '"code":1012');
  const signed = authenticate(cross.provider, b, 'valid', Buffer.from(body), secretOfB);
  return {
    path: `/v1/webhooks/${cross.provider}/${b}${signed.pathToken ? `/${encodeURIComponent(signed.pathToken)}` : ''}`,
    headers: { 'content-type': 'application/json', ...signed.headers },
    body: Buffer.from(body),
  };
}
