/**
 * Proof that the fidelity tests catch well-formed but wrong values, which the Pact mock and Prism
 * pass (they check shapes, not provenance): one mutant of each kind, each killed.
 *
 * - a configured value moved to the wrong place: Kaleyra's SID in the `api-key` header instead of
 *   its key; Gupshup's app name in `source` instead of the sender number — killed by the provenance
 *   property test (src/providers/provenance.test.ts); and, on the callback side, Kaleyra's message id
 *   read from its sibling `extra_info.message_id` — killed by the callback provenance property
 *   (src/webhooks/callback-provenance.test.ts);
 * - a status word mapped to a neighbouring status: Kaleyra's DELIVERED → read, LiveChat's (Meta's)
 *   read → delivered — killed by the status-word table (src/providers/status-words.test.ts);
 * - an error in the wrong retry class: Loopwave's 409 `no_ready_session` (retryable) classified
 *   permanent, Meta's 131056 (pair rate limit) classified permanent — killed by the error-class
 *   table (src/providers/error-classes.test.ts).
 *
 * Each mutant is the real adapter or table with one change, the way the bug would be written; the
 * unchanged ones pass the same checks (control).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ProviderAdapter } from '../src/providers/adapter.ts';
import { classifyMetaCode, ProviderError } from '../src/providers/errors.ts';
import { gupshupAdapter } from '../src/providers/gupshup/adapter.ts';
import type { GupshupAccount } from '../src/providers/gupshup/account.ts';
import { providerModule } from '../src/providers/index.ts';
import type { KaleyraAccount } from '../src/providers/kaleyra/account.ts';
import { kaleyraAdapter } from '../src/providers/kaleyra/adapter.ts';
import { loopwaveAdapter } from '../src/providers/loopwave/adapter.ts';
import type { ProviderName } from '../src/providers/names.ts';
import type { WebhookSide } from '../src/providers/define.ts';
import { kaleyraWebhook } from '../src/providers/kaleyra/webhook.ts';
import { WEBHOOKS } from '../src/providers/webhooks.ts';
import { CALLBACK_ROWS, callbackIds, callbackViolations } from '../test/support/callback-provenance.ts';
import { answerClassViolations, verdictOfMetaCode } from '../test/support/error-classes.ts';
import { PROVENANCE, provenanceViolations } from '../test/support/provenance.ts';
import { statusWordViolations } from '../test/support/status-words.ts';

/**
 * The provenance property, as src/providers/provenance.test.ts runs it, against `adapter`: what
 * its (shrunk) counterexample violates, or '' when it holds.
 */
async function provenanceFailure(provider: ProviderName, adapter: ProviderAdapter<any>): Promise<string> {
  try {
    await fc.assert(
      fc.asyncProperty(PROVENANCE[provider].sample, async (sample) => {
        const violations = await provenanceViolations(provider, adapter, sample);
        if (violations.length > 0) throw new Error(violations.join('; '));
      }),
      { numRuns: 20 },
    );
    return '';
  } catch (error) {
    // fast-check reports the property's own error as the cause.
    return String(((error as Error).cause as Error | undefined)?.message ?? (error as Error).message);
  }
}

describe('mutant: a configured value moved to the wrong place', () => {
  const sidAsKey: ProviderAdapter<KaleyraAccount> = {
    ...kaleyraAdapter,
    send: (message, account, connection) => kaleyraAdapter.send(message, account, { ...connection, credential: account.sid }),
  };
  const appNameAsSource: ProviderAdapter<GupshupAccount> = {
    ...gupshupAdapter,
    send: (message, account, connection) => gupshupAdapter.send(message, { ...account, source: account.appName }, connection),
  };

  it('control: the real adapters pass', async () => {
    expect(await provenanceFailure('kaleyra', kaleyraAdapter)).toBe('');
    expect(await provenanceFailure('gupshup', gupshupAdapter)).toBe('');
  });

  it("killed: Kaleyra's SID in the api-key header instead of its key", async () => {
    expect(await provenanceFailure('kaleyra', sidAsKey)).toBe(
      'credential (API key): expected in [header:api-key], found in []; SID: expected in [path:1], found in [header:api-key, path:1]',
    );
  });

  it("killed: Gupshup's app name in source instead of the sender number", async () => {
    expect(await provenanceFailure('gupshup', appNameAsSource)).toBe(
      'sender number (source): expected in [form:source], found in []; app name: expected in [form:src.name], found in [form:source, form:src.name]',
    );
  });
});

describe('mutant: an id read from a sibling field (callbacks)', () => {
  const row = CALLBACK_ROWS.find((r) => r.provider === 'kaleyra')!;
  /** Kaleyra's normaliser keying the event by `extra_info.message_id` instead of `message_id`. */
  const siblingId: WebhookSide = {
    ...WEBHOOKS.kaleyra,
    normalise(body, context) {
      const out = kaleyraWebhook.normalise(body, context);
      const sibling = (body as { extra_info?: { message_id?: string } }).extra_info?.message_id;
      return { ...out, events: out.events.map((event) => ({ ...event, ...(sibling ? { providerMessageId: sibling } : {}) })) };
    },
  };
  const failure = (webhook?: WebhookSide) => {
    try {
      fc.assert(
        fc.property(callbackIds, (ids) => {
          const violations = callbackViolations(row, ids, webhook);
          if (violations.length > 0) throw new Error(violations.join('; '));
        }),
        { numRuns: 20 },
      );
      return '';
    } catch (error) {
      return String(((error as Error).cause as Error | undefined)?.message ?? (error as Error).message);
    }
  };

  it('control: the real normaliser passes', () => {
    expect(failure()).toBe('');
  });

  it("killed: Kaleyra's message id read from extra_info.message_id", () => {
    expect(failure(siblingId)).toMatch(/^kaleyra providerMessageId: "S[A-Z0-9]+", expected "[A-Z][A-Z0-9]+"$/);
  });
});

describe('mutant: a status word mapped to a neighbouring status', () => {
  it('control: the modules’ words pass', async () => {
    expect(await statusWordViolations('kaleyra')).toEqual([]);
    expect(await statusWordViolations('livechat')).toEqual([]);
  });

  it("killed: Kaleyra's DELIVERED read as read", async () => {
    const words = { ...providerModule('kaleyra').statusWords, DELIVERED: 'read' as const };
    expect(await statusWordViolations('kaleyra', words)).toEqual([
      "kaleyra 'DELIVERED' (callback status (with Meta’s word in meta_object, where Meta saw the message)): read, expected delivered",
    ]);
  });

  it("killed: LiveChat's (Meta's) read read as delivered", async () => {
    const words = { ...providerModule('livechat').statusWords, read: 'delivered' as const };
    expect(await statusWordViolations('livechat', words)).toEqual([
      "livechat 'read' (callback data.status (Meta’s status object)): delivered, expected read",
    ]);
  });
});

describe('mutant: an error in the wrong retry class', () => {
  /** Loopwave's reader with `no_ready_session` (a 409 to wait out) classified permanent. */
  const noReadySessionPermanent: typeof loopwaveAdapter = {
    ...loopwaveAdapter,
    async send(message, account, connection) {
      const result = await loopwaveAdapter.send(message, account, connection);
      if (result.outcome !== 'rejected' || result.error.code !== 'no_ready_session') return result;
      const { provider, status, code, pauseScope } = result.error;
      return {
        outcome: 'rejected',
        error: new ProviderError({ provider, status, code, pauseScope, retryClass: 'permanent', reason: 'no ready session' }),
      };
    },
  };

  it('control: the real readers pass', async () => {
    expect(await answerClassViolations('loopwave')).toEqual([]);
    expect(verdictOfMetaCode(131056)).toBe('per_recipient');
  });

  it("killed: Loopwave's 409 no_ready_session classified permanent", async () => {
    expect(await answerClassViolations('loopwave', noReadySessionPermanent)).toEqual([
      'loopwave no_ready_session (409): permanent, expected backoff',
    ]);
  });

  it("killed: Meta's 131056 (pair rate limit) classified permanent", () => {
    const mutant = (code: number) => (code === 131056 ? { retryClass: 'permanent' as const } : classifyMetaCode(code));
    expect(verdictOfMetaCode(131056, mutant)).toBe('permanent');
    expect(verdictOfMetaCode(131056, mutant)).not.toBe('per_recipient');
  });
});
