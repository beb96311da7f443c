import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { durationMs } from './account-fields.ts';
import { parseConfig, PipelineConfig } from './pipeline.ts';
import { contentOnRoute, DEFAULT_FAILOVER_AFTER_MS, failoverAfterMs, nextRoute, routeAt } from './routes.ts';

const SHA = 'a'.repeat(64);
const lto = { name: 'lto_template', language: 'en_US', bodyParameters: 2 };
const reminder = { name: 'appointment_reminder', language: 'en_US', bodyParameters: 2 };
const named = { name: 'named_reminder', language: 'en', bodyParameters: 2, namedParameters: ['doctor', 'time'] };
const ref = (t: { name: string; language: string }) => ({ name: t.name, language: t.language });
const toB = {
  account: 'b',
  templates: [{ name: 'lto_template', language: 'en_US', to: { name: 'appointment_reminder', language: 'en_US' } }],
};

type Account = Record<string, unknown>;
const accounts = (overrides: { a?: Account; b?: Account; c?: Account } = {}) => [
  { id: 'a', provider: 'kaleyra', sid: 'HXIN1', senderNumber: '+919000014497', templates: [lto], fallbacks: [toB], ...overrides.a },
  { id: 'b', provider: 'livetok', templates: [reminder, named], ...overrides.b },
  { id: 'c', provider: 'livechat', numberId: '1234', templates: [reminder], ...overrides.c },
];
const config = (list: Account[]) => ({ accounts: list, apiKeys: [{ id: 'k', sha256: SHA, accounts: '*' }] });

/** The configuration's error lines (each `path: rule`), or [] when it is valid. */
function problems(list: Account[]): string[] {
  try {
    parseConfig(PipelineConfig, config(list), 'test');
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message
      .split('\n')
      .slice(1)
      .map((line) => line.trim());
  }
}

describe('routes in the configuration', () => {
  it('accepts fallbacks that can carry the content, with a failoverAfter', () => {
    expect(problems(accounts({ a: { failoverAfter: '90s' } }))).toEqual([]);
    const mapped = { ...toB, templates: [{ ...toB.templates[0]!, parameters: [1, 0] }] };
    expect(problems(accounts({ a: { fallbacks: [mapped, { account: 'c', templates: toB.templates }] } }))).toEqual([]);
  });

  it.each<[string, Account[], string]>([
    [
      'an unknown account',
      accounts({ a: { fallbacks: [{ ...toB, account: 'zz' }] } }),
      'accounts.0.fallbacks.0.account: no account zz is configured',
    ],
    [
      'the account itself',
      accounts({ a: { fallbacks: [{ ...toB, account: 'a' }] } }),
      'accounts.0.fallbacks.0.account: must not be the account itself (a)',
    ],
    ['an account twice', accounts({ a: { fallbacks: [toB, toB] } }), 'accounts.0.fallbacks.1.account: names account b twice'],
    [
      'a template the origin does not have',
      accounts({ a: { templates: [reminder] } }),
      'accounts.0.fallbacks.0.templates.0.name: account a has no template lto_template (en_US) in its templates',
    ],
    [
      'a template the fallback does not have',
      accounts({ b: { templates: [named] } }),
      'accounts.0.fallbacks.0.templates.0.to: account b has no template appointment_reminder (en_US) in its templates',
    ],
    [
      'a fallback without a template registry',
      accounts({ b: { templates: undefined } }),
      'accounts.0.fallbacks.0.templates.0.to: account b has no template appointment_reminder (en_US)',
    ],
    [
      'a parameter count that differs, unmapped',
      accounts({ b: { templates: [{ ...reminder, bodyParameters: 3 }] } }),
      'accounts.0.fallbacks.0.templates.0.parameters: must map the parameters: lto_template (en_US) has 2 body parameter(s)',
    ],
    [
      'a mapping of the wrong length',
      accounts({ a: { fallbacks: [{ ...toB, templates: [{ ...toB.templates[0]!, parameters: [0] }] }] } }),
      'accounts.0.fallbacks.0.templates.0.parameters: must name one origin value per body parameter of appointment_reminder (en_US): 2, not 1',
    ],
    [
      'a mapping past the origin’s parameters',
      accounts({ a: { fallbacks: [{ ...toB, templates: [{ ...toB.templates[0]!, parameters: [0, 2] }] }] } }),
      'accounts.0.fallbacks.0.templates.0.parameters.1: must be below 2, the body parameters of lto_template (en_US)',
    ],
    [
      'a mapping by name from positional parameters',
      accounts({ a: { fallbacks: [{ ...toB, templates: [{ ...toB.templates[0]!, parameters: [0, 'time'] }] }] } }),
      'accounts.0.fallbacks.0.templates.0.parameters.1: lto_template (en_US) has no named parameter time',
    ],
    [
      'a different header',
      accounts({ b: { templates: [{ ...reminder, header: 'image' }] } }),
      'accounts.0.fallbacks.0.templates.0.to: the header must be the same kind: lto_template (en_US) has none',
    ],
    [
      'a cycle A → B → A',
      accounts({ b: { fallbacks: [{ account: 'a', templates: [{ name: 'appointment_reminder', language: 'en_US', to: ref(lto) }] }] } }),
      'accounts.0.fallbacks: the fallbacks form a cycle: a → b → a',
    ],
    [
      'an indirect cycle A → B → C → A',
      accounts({
        b: { fallbacks: [{ account: 'c', templates: [{ name: 'appointment_reminder', language: 'en_US', to: ref(reminder) }] }] },
        c: { fallbacks: [{ account: 'a', templates: [{ name: 'appointment_reminder', language: 'en_US', to: ref(lto) }] }] },
      }),
      'accounts.0.fallbacks: the fallbacks form a cycle: a → b → c → a',
    ],
    [
      'retryAmbiguous on an account with fallbacks',
      accounts({ a: { retryAmbiguous: true } }),
      'accounts.0.retryAmbiguous: must not be true on an account with fallbacks',
    ],
    [
      'a fallback that retries open outcomes before another',
      accounts({ a: { fallbacks: [toB, { account: 'c', templates: toB.templates }] }, b: { retryAmbiguous: true } }),
      'accounts.0.fallbacks.0.account: account b retries open outcomes (retryAmbiguous): it can only be the last fallback',
    ],
    [
      'a failoverAfter that is not a duration',
      accounts({ a: { failoverAfter: '5 minutes' } }),
      'accounts.0.failoverAfter: must be a duration',
    ],
    [
      'a fallback with no template',
      accounts({ a: { fallbacks: [{ account: 'b', templates: [] }] } }),
      'accounts.0.fallbacks.0.templates: must map',
    ],
  ])('refuses %s, naming the field and the rule', (_name, list, expected) => {
    const found = problems(list);
    expect(
      found.some((line) => line.startsWith(expected)),
      `${found.join('\n')}\nshould start with\n${expected}`,
    ).toBe(true);
  });

  it('maps the content: the fallback’s template, each parameter from where the mapping says', () => {
    const [a, b] = PipelineConfig.parse(
      config(
        accounts({
          a: {
            fallbacks: [
              { account: 'c', templates: [{ name: 'other', language: 'en', to: ref(reminder) }] },
              {
                account: 'b',
                templates: [
                  { name: 'lto_template', language: 'en_US', to: { name: 'named_reminder', language: 'en' }, parameters: [1, 0] },
                ],
              },
            ],
            templates: [lto, { name: 'other', language: 'en', bodyParameters: 2 }],
          },
        }),
      ),
    ).accounts;
    const content = { kind: 'template' as const, name: 'lto_template', language: 'en_US', body: ['Pablo', 'CARIBE25'] };
    // The first fallback has no mapping for this template: skipped.
    expect(routeAt(a!, 1, content)).toBeUndefined();
    const route = nextRoute(a!, 0, content);
    expect(route).toMatchObject({ index: 2, account: 'b' });
    expect(contentOnRoute(content, route!, b!)).toEqual({
      kind: 'template',
      name: 'named_reminder',
      language: 'en',
      body: { doctor: 'CARIBE25', time: 'Pablo' },
    });
    expect(nextRoute(a!, 2, content)).toBeUndefined();
    // Session messages never fail over: another sender has no open window with the recipient.
    expect(nextRoute(a!, 0, { kind: 'text', text: 'hi' })).toBeUndefined();
  });

  it('reads failoverAfter as a duration, 5 minutes by default', () => {
    expect(durationMs('250ms')).toBe(250);
    expect(durationMs('90s')).toBe(90_000);
    expect(durationMs('2h')).toBe(7_200_000);
    expect(() => durationMs('2d')).toThrow(ConfigError);
    const [a] = PipelineConfig.parse(config(accounts())).accounts;
    expect(failoverAfterMs(a!)).toBe(DEFAULT_FAILOVER_AFTER_MS);
    expect(failoverAfterMs({ ...a!, failoverAfter: '3m' })).toBe(180_000);
  });
});
