/**
 * The local stack prints one line per drifting callback: provider, account, each departure by kind
 * and path (a schema violation with its rule) — from the very entry the webhook logs, and with no
 * value from the body in it.
 */
import { describe, expect, it } from 'vitest';
import { memoryLog } from '../runtime/log.ts';
import { memoryStorage } from '../store/memory/index.ts';
import { handleWebhookRequest, type WebhookDeps } from '../webhooks/app.ts';
import { DRIFT_MESSAGE, driftLine } from './drift-line.ts';
import { providerCallback } from './simulator.ts';

const TOKEN = 't'.repeat(24);

describe('the local stack’s callback drift line', () => {
  it('names the provider, the account and each departure, a schema violation with its rule', () => {
    expect(
      driftLine({
        provider: 'kaleyra',
        account: 'local-kaleyra',
        callback_drift: 1,
        drift: [
          { kind: 'unknown_field', path: 'extra_info.ref3', rule: 'not a property the spec declares' },
          { kind: 'unknown_status_word', path: 'status', rule: 'not a status word the provider’s spec or module knows' },
          { kind: 'schema_violation', path: 'message_id', rule: 'Invalid input: expected string, received number' },
        ],
        drift_more: 2,
      }),
    ).toBe(
      'callback drift: kaleyra (local-kaleyra): unknown field extra_info.ref3; unknown status word status; ' +
        'schema violation message_id (Invalid input: expected string, received number) (+2 more)',
    );
  });

  it('prints the entry the webhook logs for a drifting callback, without a number or a token', async () => {
    const log = memoryLog();
    const deps = {
      ...memoryStorage(),
      accounts: new Map([['local-kaleyra', { id: 'local-kaleyra', provider: 'kaleyra' }]]),
      webhookSecrets: { 'local-kaleyra': [TOKEN] },
      recipientHashKey: 'k'.repeat(32),
      log,
      now: () => new Date('2026-11-20T10:00:00.000Z'),
    } as unknown as WebhookDeps;
    const made = providerCallback('kaleyra', {
      status: 'sent',
      providerMessageId: 'K-1',
      recipient: '919812345678',
      at: 1_795_300_000,
      secret: TOKEN,
    });
    const body = JSON.parse(made.body);
    body.extra_info.ref3 = 'x';
    body.extra_info['919812345678'] = 'x';
    const response = await handleWebhookRequest(
      {
        method: 'POST',
        path: '/v1/webhooks/kaleyra/local-kaleyra',
        headers: made.headers,
        query: {},
        rawBody: Buffer.from(JSON.stringify(body)),
      },
      deps,
    );
    expect(response.statusCode).toBe(200);
    const entries = log.entries.filter((entry) => entry.message === DRIFT_MESSAGE);
    expect(entries).toHaveLength(1);
    const { level: _level, message: _message, ...fields } = entries[0]!;
    const line = driftLine(fields);
    expect(line).toBe('callback drift: kaleyra (local-kaleyra): unknown field extra_info.ref3; unknown field extra_info.(withheld)');
    expect(line).not.toMatch(/\d{5}|tttt/);
  });

  it('never fails on an entry it does not recognise', () => {
    expect(driftLine({})).toBe('callback drift: unknown provider: no detail');
    expect(driftLine({ provider: 'gupshup', drift: [null, 3, { kind: 'odd' }] })).toBe('callback drift: gupshup: odd (body)');
  });
});
