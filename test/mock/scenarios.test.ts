/**
 * Scenario numbers at the provider mocks: each send-time scenario, sent by the real adapter to the
 * real mock with the scenario hook, comes back as the outcome the scenario promises — the retry
 * class, code and status the sender acts on — and a `once` refusal lets the retry through.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIOS, scenarioAnswers, scenarioOf, type ProviderPlay } from '../../src/local/scenarios.ts';
import { SendRequest } from '../../src/messages/send-request.ts';
import { startProviderMock, type ProviderMock } from '../../src/mock/provider-mock.ts';
import { MOCKED_PROVIDERS } from '../../src/mock/providers.ts';
import { byProvider, PROVIDERS, type ProviderName } from '../../src/providers/names.ts';
import {
  adapterFor,
  isProviderOptOutCode,
  providerModule,
  provesNothingSent,
  reportsOf,
  sendsCallbacks,
} from '../../src/providers/index.ts';
import { renderScenariosDoc, SCENARIOS_DOC } from '../../scripts/scenarios-doc.ts';
import { testConfig, testSecrets } from '../support/local-aws.ts';
import { FIXTURES } from '../support/providers.ts';

const CONTENT = byProvider((provider) => SendRequest.shape.content.parse(FIXTURES[provider].content));

const mocks = new Map<ProviderName, ProviderMock>();
const secrets = testSecrets();
let accounts: ReturnType<typeof testConfig>['accounts'];

beforeAll(async () => {
  const answers = scenarioAnswers({ holdMs: 300 });
  for (const provider of PROVIDERS) mocks.set(provider, await startProviderMock(provider, { scenario: answers(provider) }));
  accounts = testConfig(Object.fromEntries(PROVIDERS.map((p) => [p, mocks.get(p)!.url]))).accounts;
});
afterAll(async () => {
  await Promise.all([...mocks.values()].map((mock) => mock.close()));
});

let sequence = 0;
/** Sends a message (a retry: the same `messageId` again) through the provider's adapter. */
function send(provider: ProviderName, recipient: string, messageId = `01JSCENARIO${String(++sequence).padStart(15, '0')}`) {
  const account = accounts.find((a) => a.provider === provider)!;
  const connection = { credential: secrets.credentials[account.id]! };
  return adapterFor(account).send({ messageId, recipient, content: CONTENT[provider] }, account, connection);
}

describe('scenario numbers at the provider mocks', () => {
  it('are in the range kept for fiction (555-0100…0199), one scenario per number and name', () => {
    for (const scenario of SCENARIOS) expect(scenario.number).toMatch(/^\+1201555010\d|^\+1201555011\d|^\+1201555012\d$/);
    expect(new Set(SCENARIOS.map((s) => s.number)).size).toBe(SCENARIOS.length);
    expect(new Set(SCENARIOS.map((s) => s.name)).size).toBe(SCENARIOS.length);
    expect(scenarioOf('12015550111@s.whatsapp.net')?.name).toBe('rate-limited');
    expect(scenarioOf('+12015550199')).toBeUndefined();
  });

  it('are all in docs/scenarios.md, as npm run docs:scenarios writes them from the data', () => {
    const doc = readFileSync(SCENARIOS_DOC, 'utf8');
    expect(doc, 'docs/scenarios.md differs from the scenario data: run npm run docs:scenarios').toBe(renderScenariosDoc(doc));
    const rows = doc
      .split('\n')
      .filter((line) => line.startsWith('| `+'))
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
    expect(rows.map((row) => [row[0], row[1]])).toEqual(SCENARIOS.map((s) => [`\`${s.number}\``, s.name]));
    for (const [i, scenario] of SCENARIOS.entries()) {
      const produced = rows[i]!.slice(4).map((cell) => cell !== '—');
      expect(produced, scenario.name).toEqual(PROVIDERS.map((p) => scenario.providers[p] !== undefined));
    }
  });

  it('have a play for every provider, or say in `notFor` why that provider cannot produce them', () => {
    for (const scenario of SCENARIOS) {
      for (const provider of PROVIDERS) {
        if (scenario.providers[provider]) continue;
        expect(scenario.notFor ?? '', `${scenario.name}: ${provider} has no play and no reason`).toContain(providerModule(provider).title);
      }
    }
  });

  it('play callbacks only for a provider whose module says it calls back with what the play needs', () => {
    for (const scenario of SCENARIOS) {
      for (const provider of PROVIDERS) {
        const callbacks = scenario.providers[provider]?.callbacks;
        if (!callbacks) continue;
        const where = `${scenario.name} ${provider}`;
        expect(sendsCallbacks(provider), where).toBe(true);
        if (callbacks.failWith) expect(reportsOf(provider).callbacks, where).toContain('failed');
        if (callbacks.lateSent) expect(reportsOf(provider).callbacks, where).toContain('sent');
      }
    }
  });

  it('fail an opted-out recipient with a code the pipeline reads as an opt-out: Meta’s 131050, or one of the provider’s own', () => {
    const optedOut = SCENARIOS.find((s) => s.name === 'opted-out')!;
    for (const [provider, play] of Object.entries(optedOut.providers) as Array<[ProviderName, ProviderPlay]>) {
      const code = play.callbacks!.failWith!.code;
      expect(code === 131050 || isProviderOptOutCode(provider, code), `${provider} ${code}`).toBe(true);
    }
  });

  it('play the send-time answers every mock can give (an account refused, a 429, a 500, none) for every provider', () => {
    for (const name of ['account-paused', 'rate-limited', 'server-error', 'timeout', 'no-answer']) {
      const scenario = SCENARIOS.find((s) => s.name === name)!;
      expect(Object.keys(scenario.providers).sort(), name).toEqual([...PROVIDERS].sort());
    }
  });

  it('play every failure a provider reports by callback, and every callback scenario for a provider that calls back', () => {
    const failures = ['undeliverable', 'opted-out', 'pair-rate-limit', 'marketing-limit'];
    const callbacks = ['duplicate-callbacks', 'callback-first'];
    for (const provider of PROVIDERS) {
      const can = (name: string) => SCENARIOS.find((s) => s.name === name)!.providers[provider] !== undefined;
      const failsByCallback = reportsOf(provider).callbacks.includes('failed');
      if (failsByCallback) for (const name of failures) expect(can(name), `${name} ${provider}`).toBe(true);
      if (sendsCallbacks(provider)) for (const name of callbacks) expect(can(name), `${name} ${provider}`).toBe(true);
    }
  });

  it('name only examples the specs document', () => {
    for (const scenario of SCENARIOS) {
      for (const [provider, play] of Object.entries(scenario.providers)) {
        if (play.send?.kind !== 'refuse' || !play.send.example) continue;
        const spec = readFileSync(new URL(`../../specs/${provider}.yaml`, import.meta.url), 'utf8');
        expect(spec, `${scenario.name} ${provider}`).toContain(`${play.send.example}:`);
      }
    }
  });

  const sendPlays = SCENARIOS.flatMap((scenario) =>
    PROVIDERS.flatMap((provider) => {
      const play = scenario.providers[provider];
      return play?.send ? [{ scenario, provider, play }] : [];
    }),
  );
  const cases = sendPlays.map((p) => [p.scenario.name, p.provider, p] as const);
  it.each(cases)('%s via %s: the adapter reads the answer as the scenario says', async (_name, provider, { scenario, play }) => {
    const messageId = `01JSCENARIO${String(++sequence).padStart(15, '0')}`;
    const result = await send(provider, scenario.number, messageId);
    // No answer, or an answer that does not prove nothing was sent (a 500): the outcome is unknown.
    if (play.send!.kind !== 'refuse' || !provesNothingSent(provider, play.send!.status)) {
      expect(result.outcome).toBe('unknown');
      return;
    }
    expect(result.outcome).toBe('rejected');
    if (result.outcome !== 'rejected') return;
    const error = result.error.toJSON();
    const expected = play.expect.error ?? {};
    expect(error, JSON.stringify(error)).toMatchObject(expected);
    expect(result.error.status).toBe(play.send!.status);
    if (play.send!.retryAfterS !== undefined) {
      expect(result.error.retryAfterMs).toBeGreaterThan(0);
      expect(result.error.retryAfterMs).toBeLessThanOrEqual(play.send!.retryAfterS * 1000);
    }
    // A `once` refusal lets the retry (the same request) through; another refusal refuses again.
    const again = await send(provider, scenario.number, messageId);
    expect(again.outcome).toBe(play.send!.once ? 'accepted' : 'rejected');
  });

  it('answer every other number, and the rest of the fictional range, as usual; and tell what they received', async () => {
    for (const provider of PROVIDERS) expect((await send(provider, '+12015550199')).outcome, provider).toBe('accepted');
    const mock = mocks.get('kaleyra')!;
    type Received = { path: string; status: number; body: string };
    const { received } = (await (await fetch(`${mock.url}/__mock/received`)).json()) as { received: Received[] };
    const sends = received.filter((r) => MOCKED_PROVIDERS.kaleyra.send.path.test(r.path));
    expect(sends.at(-1)).toMatchObject({ status: 202 });
    expect(MOCKED_PROVIDERS.kaleyra.recipientOf(sends.at(-1)!.body)).toBe('12015550199');
    expect(sends.some((r) => r.status === 0)).toBe(true); // the timeout and no-answer scenarios: no answer
  });
});
