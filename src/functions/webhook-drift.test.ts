/**
 * The webhook function counts callback drift: one `callback drift` line — an embedded-metric line
 * that CloudWatch turns into `callback_drift` by provider and function name — per authenticated
 * callback that departs from its spec, whatever it is answered; none for a forged callback,
 * however odd its body; the answer and what is applied stay what they were without the drift.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { providerCallback } from '../local/simulator.ts';
import { readFunctionEnvironment } from '../runtime/env.ts';
import { functionLog, memoryLog, type Log } from '../runtime/log.ts';
import { CALLBACK_DRIFT_METRIC, CROSS_ACCOUNT_CALLBACK_METRIC, METRIC_NAMESPACE } from '../runtime/metrics.ts';
import { memoryStorage } from '../store/memory/index.ts';
import type { WebhookDeps } from '../webhooks/app.ts';
import type { RuntimeEnvironment } from './runtime.ts';
import { createWebhookDeps, webhookHandler } from './webhook.ts';

const TOKEN = 't'.repeat(24);
const FORGED = 'f'.repeat(24);
const RECIPIENT = '919812345678';
const FUNCTION_NAME = 'whatsapp-provider-kit-prod-wa-webhook';

const event = (path: string, body: string, headers: Record<string, string> = {}): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...headers },
    isBase64Encoded: false,
    body,
    requestContext: { requestId: 'req-1', http: { method: 'POST', path, sourceIp: '203.0.113.7' } },
  }) as unknown as APIGatewayProxyEventV2;

const ACCOUNTS = { kaleyra: 'acme-kaleyra', gupshup: 'acme-gupshup' } as const;

function deps(log: Log, functionName?: string, storage = memoryStorage()): WebhookDeps {
  const accounts = new Map(Object.entries(ACCOUNTS).map(([provider, id]) => [id, { id, provider }]));
  return {
    ...storage,
    accounts,
    webhookSecrets: Object.fromEntries(Object.values(ACCOUNTS).map((id) => [id, [TOKEN]])),
    recipientHashKey: 'k'.repeat(32),
    log,
    now: () => new Date('2026-11-20T10:00:00.000Z'),
    ...(functionName ? { functionName } : {}),
  } as unknown as WebhookDeps;
}

/** A provider's callback as its simulator writes it, naming our message `ours` (Kaleyra's `extra_info.ref`). */
function naming(ours: string) {
  const made = providerCallback('kaleyra', {
    status: 'sent',
    providerMessageId: 'K-9',
    messageId: ours,
    recipient: RECIPIENT,
    at: 1_795_300_000,
    secret: TOKEN,
  });
  return event(`/v1/webhooks/kaleyra/${ACCOUNTS.kaleyra}${made.pathSuffix}`, made.body, made.headers);
}

/** A provider's callback as its simulator writes it, edited, for its account (`secret`: what it proves itself with). */
function callback(provider: 'kaleyra' | 'gupshup', id: string, edit: (body: any) => void = () => {}, secret = TOKEN) {
  const made = providerCallback(provider, { status: 'sent', providerMessageId: id, recipient: RECIPIENT, at: 1_795_300_000, secret });
  const body = JSON.parse(made.body);
  edit(body);
  return event(`/v1/webhooks/${provider}/${ACCOUNTS[provider]}${made.pathSuffix}`, JSON.stringify(body), made.headers);
}

/** Every JSON line written to stdout or stderr (Powertools writes WARN there) while `run` runs. */
async function logLines(run: () => Promise<void>): Promise<Array<Record<string, unknown>>> {
  const lines: Array<Record<string, unknown>> = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    vi.spyOn(process[stream], 'write').mockImplementation((chunk: string | Uint8Array) => {
      for (const text of String(chunk).split('\n')) {
        try {
          lines.push(JSON.parse(text) as Record<string, unknown>);
        } catch {
          // not a log line
        }
      }
      return true;
    });
  }
  try {
    await run();
  } finally {
    vi.restoreAllMocks();
  }
  return lines;
}

describe('callback drift, counted by the webhook function', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes one embedded-metric line per drifting authenticated callback, by provider and function name; none for forged ones', async () => {
    const handler = webhookHandler(() => deps(functionLog('webhook'), FUNCTION_NAME));
    const answers: Array<[string, number | undefined]> = [];
    const lines = await logLines(async () => {
      const send = async (name: string, request: APIGatewayProxyEventV2) => {
        answers.push([name, (await handler(request)).statusCode]);
      };
      await send('clean', callback('kaleyra', 'K-1'));
      await send(
        'added field',
        callback('kaleyra', 'K-2', (b) => void (b.extra_info.ref3 = 'x')),
      );
      await send(
        'forged, added field',
        callback('kaleyra', 'K-3', (b) => void (b.extra_info.ref3 = 'x'), FORGED),
      );
      await send(
        'forged, unknown word',
        callback('kaleyra', 'K-4', (b) => void (b.status = 'QUEUED'), FORGED),
      );
      await send('forged, not JSON', { ...callback('gupshup', 'G-0', () => {}, FORGED), body: '{not json' });
      await send(
        'unknown word',
        callback('gupshup', 'G-1', (b) => void (b.payload.type = 'mystery')),
      );
      await send(
        'changed type',
        callback('kaleyra', 'K-5', (b) => void (b.message_id = 42)),
      );
      await send('not JSON', { ...callback('kaleyra', 'K-6'), body: '{not json' });
    });
    expect(answers).toEqual([
      ['clean', 200],
      ['added field', 200],
      ['forged, added field', 401],
      ['forged, unknown word', 401],
      ['forged, not JSON', 401],
      ['unknown word', 200],
      ['changed type', 400],
      ['not JSON', 400],
    ]);

    const drift = lines.filter((line) => line.message === 'callback drift');
    expect(
      drift.map((line) => [line.provider, line.account, line.kinds, (line.drift as Array<{ path: string }>).map((d) => d.path)]),
    ).toEqual([
      ['kaleyra', 'acme-kaleyra', ['unknown_field'], ['extra_info.ref3']],
      ['gupshup', 'acme-gupshup', ['unknown_status_word'], ['payload.type']],
      ['kaleyra', 'acme-kaleyra', ['schema_violation'], ['message_id']],
      ['kaleyra', 'acme-kaleyra', ['schema_violation'], ['(body)']],
    ]);
    for (const line of drift) {
      // What CloudWatch reads: the block, and the value and each dimension at the top of the line.
      expect(line).toMatchObject({
        level: 'WARN',
        function: 'webhook',
        function_name: FUNCTION_NAME,
        [CALLBACK_DRIFT_METRIC]: 1,
        _aws: {
          Timestamp: Date.parse('2026-11-20T10:00:00.000Z'),
          CloudWatchMetrics: [
            {
              Namespace: METRIC_NAMESPACE,
              Dimensions: [['function_name', 'provider']],
              Metrics: [{ Name: CALLBACK_DRIFT_METRIC, Unit: 'Count' }],
            },
          ],
        },
      });
      // Never a value: no number, no token, no word from the body.
      expect(JSON.stringify(line)).not.toMatch(/98123|tttt|ffff|QUEUED|mystery|not json/);
    }
    // The forged ones were refused and said so, and nothing more.
    expect(lines.filter((line) => line.message === 'webhook rejected')).toHaveLength(3);
    expect(lines.filter((line) => line.level === 'ERROR')).toEqual([]);
  });

  it('answers a drifting callback as it answers the same callback without its drift', async () => {
    const log = memoryLog();
    const handler = webhookHandler(() => deps(log));
    const clean = await handler(callback('gupshup', 'G-1'));
    const drifting = await handler(callback('gupshup', 'G-2', (b) => void (b.payload.payload.channel = 'wa')));
    expect(drifting).toEqual(clean);
    expect(JSON.parse(String(clean.body))).toEqual({ received: 1, ignored: 0 });
    const unknownWord = await handler(callback('gupshup', 'G-3', (b) => void (b.payload.type = 'mystery')));
    expect(JSON.parse(String(unknownWord.body))).toEqual({ received: 0, ignored: 1 });
    // Locally (no function name), the metric is by provider alone.
    expect(log.entries.filter((entry) => entry.message === 'callback drift').map((entry) => entry._aws)).toEqual([
      expect.objectContaining({ CloudWatchMetrics: [expect.objectContaining({ Dimensions: [['provider']] })] }),
      expect.objectContaining({ CloudWatchMetrics: [expect.objectContaining({ Dimensions: [['provider']] })] }),
    ]);
  });

  it('lists at most 20 departures on the line, and counts the rest', async () => {
    const log = memoryLog();
    const handler = webhookHandler(() => deps(log));
    const extra = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`extra_${i}`, i]));
    expect((await handler(callback('kaleyra', 'K-1', (b) => Object.assign(b, extra)))).statusCode).toBe(200);
    const [line] = log.entries.filter((entry) => entry.message === 'callback drift');
    expect(line).toMatchObject({ callback_drift: 1, drift_more: 5 });
    expect(line!.drift).toHaveLength(20);
  });

  it('takes the function name from Lambda’s environment, through the runtime, into the webhook’s dependencies', () => {
    const env = readFunctionEnvironment({
      TABLE_NAME: 'wa-messages',
      QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/wa-send',
      WAPK_CONFIG_SECRET_ID: 'wa-config',
      AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
    });
    expect(env.functionName).toBe(FUNCTION_NAME);
    const runtime = {
      config: { accounts: [] },
      secrets: { webhookSecrets: {}, recipientHashKey: 'k'.repeat(32) },
      storage: memoryStorage(),
      functionName: env.functionName,
    } as unknown as RuntimeEnvironment;
    expect(createWebhookDeps(runtime, { log: memoryLog() }).functionName).toBe(FUNCTION_NAME);
    expect(createWebhookDeps({ ...runtime, functionName: undefined }, { log: memoryLog() })).not.toHaveProperty('functionName');
  });
});

describe('cross-account callbacks, counted by the webhook function', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes one embedded-metric line by provider and function name (what the alarm counts), and changes nothing', async () => {
    const storage = memoryStorage();
    const id = '01KB0000000000000000000000';
    await storage.messages.createMany([
      {
        id,
        provider: 'kaleyra',
        account: 'beta-kaleyra',
        recipient: { hash: 'h1', last4: '5678' },
        kind: 'template',
        template: 'lto_template',
        status: 'queued',
        createdAt: '2026-11-20T09:59:00.000Z',
      },
    ]);
    const handler = webhookHandler(() => deps(functionLog('webhook'), FUNCTION_NAME, storage));
    let status: number | undefined;
    const lines = await logLines(async () => {
      status = (await handler(naming(id))).statusCode;
    });
    expect(status).toBe(200);
    expect(await storage.messages.get(id)).toMatchObject({ status: 'queued', account: 'beta-kaleyra' });
    const counted = lines.filter((line) => line.message === 'callback names a message of another account: not applied');
    expect(counted).toEqual([
      expect.objectContaining({
        level: 'WARN',
        provider: 'kaleyra',
        account: 'acme-kaleyra',
        function_name: FUNCTION_NAME,
        [CROSS_ACCOUNT_CALLBACK_METRIC]: 1,
        _aws: {
          Timestamp: Date.parse('2026-11-20T10:00:00.000Z'),
          CloudWatchMetrics: [
            {
              Namespace: METRIC_NAMESPACE,
              Dimensions: [['function_name', 'provider']],
              Metrics: [{ Name: CROSS_ACCOUNT_CALLBACK_METRIC, Unit: 'Count' }],
            },
          ],
        },
      }),
    ]);
    // Which message of which account it named stays out of the line.
    expect(JSON.stringify(counted)).not.toMatch(new RegExp(`${id}|beta|98123`));
  });
});
