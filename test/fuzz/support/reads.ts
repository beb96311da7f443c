/**
 * `GET /v1/messages/{id}`, `GET /v1/messages?…` and `POST /v1/messages/{id}/cancel`: the cases and
 * how each becomes a request. Targets are named by pool and resolved when the case runs.
 */
import fc from 'fast-check';
import { authHeader, type Auth } from './accept.ts';
import type { Endpoint, RunContext } from './endpoint.ts';
import { isoDateTime } from './messages.ts';
import { ACCOUNT_IDS, CALLBACK_PROVIDERS, LIMITED_ACCOUNTS, type CallbackProvider } from './model.ts';
import type { Case, Expect, Figure, Step } from './oracle.ts';

const DAY = 86_400_000;
const STATUSES = ['queued', 'scheduled', 'cancelled', 'sending', 'unknown', 'accepted', 'sent', 'failed', 'delivered', 'read'];
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const keyAuth = fc.oneof(
  { arbitrary: fc.constant<Auth>({ kind: 'key', key: 'all' }), weight: 3 },
  { arbitrary: fc.constant<Auth>({ kind: 'key', key: 'limited' }), weight: 1 },
);
const badAuth = fc.constantFrom<Auth>({ kind: 'none' }, { kind: 'header', value: 'Bearer nope' }, { kind: 'header', value: 'Token x' });
const usable = (auth: Auth) => (auth.kind === 'key' && auth.key === 'limited' ? LIMITED_ACCOUNTS : ACCOUNT_IDS);
const others = ACCOUNT_IDS.filter((a) => !LIMITED_ACCOUNTS.includes(a));

/** A message id that is well formed but names nothing. */
const absentId = fc.array(fc.constantFrom(...CROCKFORD), { minLength: 25, maxLength: 25 }).map((chars) => `7${chars.join('')}`);

/**
 * Path segments that are not message ids: malformed or overlong percent-encoding, dot segments,
 * an encoded slash, latin-1 bytes, very long ones, and any printable ASCII but "/", "?" and "#".
 */
const badSegment = fc.oneof(
  fc.constantFrom(
    '%E0%A4%A',
    '%',
    '%zz',
    '%C0%AF',
    '%00',
    '%2F',
    '%2e%2e',
    '%F0%9F%98',
    '01M80E93DKKVF6VJ7YXRKAH195%',
    '01m80e93dkkvf6vj7yxrkah195',
    '\u00e9t\u00e9',
    'x'.repeat(3000),
  ),
  fc.stringMatching(/^[\x21-\x7e]{1,40}$/).filter((s) => !/[/?#]/.test(s) && s !== '.' && s !== '..'),
  fc.array(fc.constantFrom('%', 'A', 'E0', '%25', 'zz', '9'), { minLength: 1, maxLength: 8 }).map((parts) => parts.join('')),
);

type Target =
  | { kind: 'own'; account: string; n: number }
  | { kind: 'foreign'; account: string; n: number }
  | { kind: 'cancelled'; account: string; n: number }
  | { kind: 'sent'; provider: CallbackProvider; n: number }
  | { kind: 'fresh'; account: string }
  | { kind: 'absent'; id: string }
  | { kind: 'segment'; segment: string };

export interface MessageInput {
  auth: Auth;
  target: Target;
}

const c = (label: string, expect: Expect, input: MessageInput): Case<MessageInput> => ({ label, expect, input });

function targetCases(ownKind: 'own' | 'fresh'): Array<{ arbitrary: fc.Arbitrary<Case<MessageInput>>; weight: number }> {
  const own = keyAuth.chain((auth) =>
    fc.tuple(fc.constantFrom(...usable(auth)), fc.nat(50)).map(([account, n]) =>
      c(ownKind === 'own' ? 'valid: a message of the key' : 'valid: a queued message of the key', 'accept', {
        auth,
        target: ownKind === 'own' ? { kind: 'own', account, n } : { kind: 'fresh', account },
      }),
    ),
  );
  return [
    { arbitrary: own, weight: 6 },
    {
      arbitrary: fc.tuple(fc.constantFrom(...others), fc.nat(50)).map(([account, n]) =>
        c('message of an account the key may not use (must look absent)', 'refuse', {
          auth: { kind: 'key', key: 'limited' },
          target: { kind: 'foreign', account, n },
        }),
      ),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(keyAuth, absentId)
        .map(([auth, id]) => c('id: well formed, no such message', 'refuse', { auth, target: { kind: 'absent', id } })),
      weight: 2,
    },
    {
      arbitrary: fc.tuple(keyAuth, badSegment).map(([auth, segment]) =>
        c('id: not a message id (bad or malformed percent-encoding, odd bytes)', 'refuse', {
          auth,
          target: { kind: 'segment', segment },
        }),
      ),
      weight: 4,
    },
    {
      arbitrary: fc
        .tuple(badAuth, fc.constantFrom(...ACCOUNT_IDS), fc.nat(50))
        .map(([auth, account, n]) => c('Authorization: no valid API key', 'refuse', { auth, target: { kind: 'own', account, n } })),
      weight: 1,
    },
  ];
}

function idOf(target: Target, ctx: RunContext): { id: string | undefined; segment: string } {
  const pools = ctx.stack.pools;
  const pick = (list: readonly string[] | undefined, n: number) => (list?.length ? list[n % list.length] : undefined);
  let id: string | undefined;
  switch (target.kind) {
    case 'own':
    case 'foreign':
      id = pick(pools.queued[target.account], target.n);
      break;
    case 'cancelled':
      id = pick(pools.cancelled[target.account], target.n);
      break;
    case 'sent':
      id = pools.callbackVictims[target.provider][target.n % pools.callbackVictims[target.provider].length]?.id;
      break;
    case 'fresh':
      id = pools.cancellable[target.account]?.shift();
      break;
    case 'absent':
      return { id: target.id, segment: target.id };
    case 'segment':
      return { id: undefined, segment: target.segment };
  }
  return { id, segment: id ?? 'POOL-EMPTY' };
}

const MALFORMED = c('id: not a message id (bad or malformed percent-encoding, odd bytes)', 'refuse', {
  auth: { kind: 'key', key: 'all' },
  target: { kind: 'segment', segment: '%E0%A4%A' },
});

export const getMessage: Endpoint<MessageInput> = {
  name: 'GET /v1/messages/{id}',
  kind: 'messages',
  cases: () => fc.oneof(...targetCases('own')),
  regressions: () => [MALFORMED],
  steps(cs, ctx) {
    const { id, segment } = idOf(cs.input.target, ctx);
    return [
      {
        request: { method: 'GET', path: `/v1/messages/${segment}`, headers: authHeader(cs.input.auth) },
        expect: cs.expect,
        label: cs.label,
        ...(id ? { touches: { messages: [id] } } : {}),
      },
    ];
  },
};

export const cancelMessage: Endpoint<MessageInput> = {
  name: 'POST /v1/messages/{id}/cancel',
  kind: 'messages',
  regressions: () => [MALFORMED],
  cases: () =>
    fc.oneof(
      ...targetCases('fresh'),
      {
        arbitrary: fc
          .tuple(keyAuth, fc.nat(50))
          .chain(([auth, n]) =>
            fc
              .constantFrom(...usable(auth))
              .map((account) =>
                c('not cancellable: already cancelled (409)', 'refuse', { auth, target: { kind: 'cancelled', account, n } }),
              ),
          ),
        weight: 2,
      },
      {
        arbitrary: fc.tuple(fc.constantFrom(...CALLBACK_PROVIDERS), fc.nat(50)).map(([provider, n]) =>
          c('not cancellable: already sent (409)', 'refuse', {
            auth: { kind: 'key', key: 'all' },
            target: { kind: 'sent', provider, n },
          }),
        ),
        weight: 1,
      },
    ),
  steps(cs, ctx) {
    const { id, segment } = idOf(cs.input.target, ctx);
    // A valid cancel needs a message still queued; if the pool ran dry the case says so instead of failing.
    const dry = cs.input.target.kind === 'fresh' && !id;
    return [
      {
        request: { method: 'POST', path: `/v1/messages/${segment}/cancel`, headers: authHeader(cs.input.auth) },
        expect: dry ? 'either' : cs.expect,
        label: dry ? `${cs.label} (pool of queued messages ran dry)` : cs.label,
        ...(id ? { touches: { messages: [id] } } : {}),
      },
    ];
  },
};

// ---------------------------------------------------------------- list

type Cursor =
  /** The cursor of a first page of the same account (and status filter). */
  | { kind: 'own' }
  /** The cursor of another account's page. */
  | { kind: 'foreign'; n: number }
  /** Random text, or base64url of random JSON. */
  | { kind: 'made-up'; text: string }
  /** base64url of a key-shaped object naming the query's own account: harmless if accepted. */
  | { kind: 'forged' };

export interface ListInput {
  auth: Auth;
  account?: string;
  status?: string;
  since?: string;
  until?: string;
  limit?: string;
  cursor?: Cursor;
  /** Extra parameters, as written (unknown names, repeats, bad values). */
  extra?: Array<[string, string]>;
}

const validWindow = fc
  .tuple(isoDateTime(Date.now() - 400 * DAY, Date.now() + 5 * DAY), fc.integer({ min: 0, max: 400 * DAY }))
  .map(([since, span]) => ({
    since,
    until: new Date(Date.parse(since) + span).toISOString(),
  }));
const madeUpCursor = fc.oneof(
  fc.constantFrom('abc', 'e30', 'bnVsbA', 'W10', '%E0%A4%A', '!!!', 'eyJwayI6MX0'),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,60}$/),
  fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null').toString('base64url')),
  fc
    .record(
      {
        pk: fc.oneof(fc.string(), fc.integer()),
        sk: fc.oneof(fc.string(), fc.constant(null)),
        account: fc.oneof(fc.constantFrom(...ACCOUNT_IDS), fc.integer()),
        created: fc.oneof(fc.string(), fc.boolean()),
      },
      { requiredKeys: [] },
    )
    .map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')),
);

const l = (label: string, expect: Expect, input: ListInput): Case<ListInput> => ({ label, expect, input });

export function listCases(): fc.Arbitrary<Case<ListInput>> {
  const base = keyAuth.chain((auth) =>
    fc.record(
      {
        auth: fc.constant(auth),
        account: fc.constantFrom(...usable(auth)),
        status: fc.constantFrom(...STATUSES),
        window: validWindow,
        limit: fc.integer({ min: 1, max: 100 }).map(String),
      },
      { requiredKeys: ['auth', 'account'] },
    ),
  );
  const valid = base.map(
    ({ auth, account, status, window, limit }) =>
      ({ auth, account, ...(status ? { status } : {}), ...(window ?? {}), ...(limit ? { limit } : {}) }) as ListInput,
  );
  return fc.oneof(
    { arbitrary: valid.map((input) => l('valid: a page of the key’s account', 'accept', input)), weight: 8 },
    {
      arbitrary: fc.tuple(keyAuth, fc.option(fc.integer({ min: 1, max: 100 }).map(String), { nil: undefined })).chain(([auth, limit]) =>
        fc.constantFrom(...usable(auth)).chain((account) =>
          fc.constantFrom(undefined, 'queued').map((status) =>
            l('valid: the next page, with the previous page’s cursor', 'accept', {
              auth,
              account,
              ...(status ? { status } : {}),
              ...(limit ? { limit } : {}),
              cursor: { kind: 'own' },
            }),
          ),
        ),
      ),
      weight: 3,
    },
    {
      arbitrary: fc
        .tuple(
          valid,
          fc.oneof(
            fc.constantFrom('acount', 'page', 'offset', 'sort', 'Account', 'status[]', 'cursor_'),
            fc.stringMatching(/^[a-z_]{1,12}$/),
          ),
          fc.string({ maxLength: 10 }),
        )
        .filter(([, name]) => !['account', 'status', 'since', 'until', 'limit', 'cursor'].includes(name))
        .map(([input, name, value]) => l('query: unknown parameter', 'refuse', { ...input, extra: [[name, value]] })),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(valid, fc.constantFrom('QUEUED', 'done', '', 'queued,sent', 'all'))
        .map(([input, status]) => l('status: not one of the statuses', 'refuse', { ...input, status })),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(
          valid,
          fc.constantFrom('since', 'until'),
          fc.constantFrom('yesterday', '2026-01-01', '1733000000', '', '2026-13-01T00:00:00Z'),
        )
        .map(([input, field, value]) => l(`${field}: not an ISO-8601 date-time`, 'refuse', { ...input, [field]: value })),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(valid, fc.constantFrom('0', '101', '-1', 'abc', '2.5', '', '1000000'))
        .map(([input, limit]) => l('limit: not an integer from 1 to 100', 'refuse', { ...input, limit })),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(valid, madeUpCursor)
        .map(([input, text]) =>
          l('cursor: made up', 'refuse', { ...input, since: undefined, until: undefined, cursor: { kind: 'made-up', text } } as ListInput),
        ),
      weight: 3,
    },
    {
      arbitrary: fc.tuple(valid, fc.nat(40)).map(([input, n]) =>
        l('cursor: another account’s', 'refuse', {
          ...input,
          since: undefined,
          until: undefined,
          status: undefined,
          cursor: { kind: 'foreign', n },
        } as ListInput),
      ),
      weight: 2,
    },
    {
      arbitrary: valid.map((input) =>
        l('cursor: key-shaped, forged for the same account', 'either', {
          ...input,
          since: undefined,
          until: undefined,
          cursor: { kind: 'forged' },
        } as ListInput),
      ),
      weight: 1,
    },
    {
      arbitrary: fc.tuple(valid, validWindow).map(([input, w]) =>
        l('cursor: the previous page’s, with another time window', 'either', {
          ...input,
          ...w,
          status: undefined,
          cursor: { kind: 'own' },
        }),
      ),
      weight: 1,
    },
    {
      arbitrary: valid.map((input) => l('account: missing, and the key may use several', 'refuse', { ...input, account: undefined })),
      weight: 1,
    },
    {
      arbitrary: fc.tuple(valid, fc.constantFrom(...others)).map(([input, account]) =>
        l('account: not available to this key (must show nothing)', 'either', {
          ...input,
          auth: { kind: 'key', key: 'limited' },
          account,
        }),
      ),
      weight: 1,
    },
    {
      arbitrary: fc
        .tuple(valid, validWindow)
        .map(([input, w]) => l('since after until', 'either', { ...input, since: w.until, until: w.since })),
      weight: 1,
    },
    {
      arbitrary: fc.tuple(valid, badAuth).map(([input, auth]) => l('Authorization: no valid API key', 'refuse', { ...input, auth })),
      weight: 1,
    },
  );
}

function cursorText(input: ListInput, ctx: RunContext): string | undefined {
  const cursor = input.cursor;
  if (!cursor) return undefined;
  const pools = ctx.stack.pools.cursors;
  switch (cursor.kind) {
    case 'own': {
      // The cursor of the same key, account and status filter: valid by the README's rule. (Cases
      // that change the filters are labelled `either`.)
      const key = input.auth.kind === 'key' ? input.auth.key : 'all';
      return (
        pools.find((p) => p.key === key && p.account === input.account && p.status === input.status)?.cursor ??
        pools.find((p) => p.account === input.account)?.cursor
      );
    }
    case 'foreign': {
      const foreign = pools.filter((p) => p.account !== input.account);
      return foreign[cursor.n % foreign.length]!.cursor;
    }
    case 'made-up':
      return cursor.text;
    case 'forged':
      return Buffer.from(
        JSON.stringify({
          pk: 'M#7ZZZZZZZZZZZZZZZZZZZZZZZZZ',
          sk: 'M',
          account: input.account,
          created: '2026-01-01T00:00:00.000Z#7ZZZZZZZZZZZZZZZZZZZZZZZZZ',
        }),
      ).toString('base64url');
  }
}

export const listMessages: Endpoint<ListInput> = {
  name: 'GET /v1/messages?…',
  kind: 'messages',
  cases: () => listCases(),
  regressions: () => [
    l('cursor: made up', 'refuse', {
      auth: { kind: 'key', key: 'all' },
      account: 'fz-kaleyra-a',
      cursor: { kind: 'made-up', text: Buffer.from('{"a":1}').toString('base64url') },
    }),
    l('cursor: another account’s', 'refuse', {
      auth: { kind: 'key', key: 'all' },
      account: 'fz-kaleyra-a',
      cursor: { kind: 'foreign', n: 0 },
    }),
  ],
  steps(cs, ctx) {
    const input = cs.input;
    const params: Array<[string, string]> = [];
    const add = (name: string, value: string | undefined) => value !== undefined && params.push([name, value]);
    add('account', input.account);
    add('status', input.status);
    add('since', input.since);
    add('until', input.until);
    add('limit', input.limit);
    const cursor = cursorText(input, ctx);
    // Made-up cursors go in as written (malformed percent-encoding included); the rest URL-encoded.
    const query = [...params, ...(input.extra ?? [])].map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`);
    if (cursor !== undefined) query.push(`cursor=${input.cursor?.kind === 'made-up' ? cursor : encodeURIComponent(cursor)}`);
    const step: Step = {
      request: { method: 'GET', path: `/v1/messages${query.length ? `?${query.join('&')}` : ''}`, headers: authHeader(input.auth) },
      expect: cs.expect,
      label: cs.label,
    };
    if (input.auth.kind === 'key' && input.account && !usable(input.auth).includes(input.account))
      step.check = async (response) => showsNothing(response);
    return [step];
  },
};

/** A listing for an account the key may not use may answer 200, but must list nothing. */
async function showsNothing(response: { status: number | string; body: string }): Promise<Figure[]> {
  if (typeof response.status !== 'number' || response.status < 200 || response.status >= 300) return [];
  try {
    const json = JSON.parse(response.body) as { messages?: unknown[] };
    return json.messages?.length ? ['2xx for invalid input'] : [];
  } catch {
    return [];
  }
}
