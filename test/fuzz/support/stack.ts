/**
 * The system under fuzz: the real accept, status and webhook handlers behind the local HTTP
 * server on an ephemeral loopback port, over dynalite and local SQS, with two accounts per
 * provider. Seeding goes through the same code a deployment runs: messages are accepted through
 * the HTTP API, sent by the real sender to the Prism provider mocks, and (LiveChat, Loopwave,
 * whose send answers carry no id) bound to a provider id by one correctly signed callback.
 */
import { randomBytes } from 'node:crypto';
import { BatchGetItemCommand, DynamoDBClient, GetItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { hashApiKey } from '../../../src/api/auth.ts';
import { PipelineConfig, PipelineSecrets } from '../../../src/config/pipeline.ts';
import { apiHandler } from '../../../src/functions/api-handler.ts';
import { createApiDeps, type RuntimeEnvironment } from '../../../src/functions/runtime.ts';
import { createSenderDeps, senderHandler } from '../../../src/functions/sender.ts';
import { createWebhookDeps, webhookHandler } from '../../../src/functions/webhook.ts';
import { startEventSourceMapping } from '../../../src/local/event-source-mapping.ts';
import { startLocalHttp } from '../../../src/local/http-server.ts';
import { providerCallback } from '../../../src/local/simulator.ts';
import { startProviderMock, type ProviderMock } from '../../../src/mock/provider-mock.ts';
import { recipientRef } from '../../../src/privacy/recipient.ts';
import { silentLog } from '../../../src/runtime/log.ts';
import { dynamoDBStorage } from '../../../src/store/dynamodb/index.ts';
import { INDEX, KEY, messageIdOfKey, messageKey, providerIdItemKey } from '../../../src/store/table.ts';
import { DEV_KITS } from '../../../src/providers/dev.ts';
import { providerModule } from '../../../src/providers/index.ts';
import { startLocalAws } from '../../support/local-aws.ts';
import { FIXTURES } from '../../support/providers.ts';
import { RawClient, type RawResponse } from './client.ts';
import {
  accountId,
  ALL_KEY,
  CAPABILITIES,
  CALLBACK_PROVIDERS,
  LIMITED_ACCOUNTS,
  LIMITED_KEY,
  PROVIDERS,
  providerOf,
  registryOf,
  seedPhone,
  type CallbackProvider,
  type ProviderName,
} from './model.ts';

/** A message of account A that reached its provider and has the provider's id. */
export interface SentMessage {
  id: string;
  account: string;
  provider: CallbackProvider;
  providerMessageId: string;
  /** E.164. */
  recipient: string;
}

export interface Pools {
  /** Per provider: sent messages that valid callbacks report on. */
  callbackTargets: Record<CallbackProvider, SentMessage[]>;
  /** Per provider: sent messages named only by refused callbacks; they must never change. */
  callbackVictims: Record<CallbackProvider, SentMessage[]>;
  /** Per provider: sent messages of account A named by callbacks on account B's route. */
  crossTargets: Record<CallbackProvider, SentMessage[]>;
  /** Queued messages per account, for reads. */
  queued: Record<string, string[]>;
  /** Queued messages per account, each cancelled by at most one valid cancel. */
  cancellable: Record<string, string[]>;
  /** Messages already cancelled (a cancel must answer 409 and change nothing). */
  cancelled: Record<string, string[]>;
  /** A cursor per API key and account, from a first page of `limit=1` (optionally with a status). */
  cursors: Array<{ key: 'all' | 'limited'; account: string; status?: string; cursor: string }>;
}

export interface StackOptions {
  /** Sizes of the seeded pools. */
  callbackTargets?: number;
  callbackVictims?: number;
  crossTargets?: number;
  cancellable?: number;
  requestTimeoutMs?: number;
  concurrency?: number;
  /** Collect the handlers' console.error lines instead of printing them (thousands in a fuzz run). */
  quiet?: boolean;
}

export type FuzzStack = Awaited<ReturnType<typeof startFuzzStack>>;

export async function startFuzzStack(options: StackOptions = {}) {
  const aws = await startLocalAws();
  const mocks = new Map<ProviderName, ProviderMock>();
  for (const provider of PROVIDERS) mocks.set(provider, await startProviderMock(provider));

  // A secret of the form each calling-back provider's scheme takes (its dev kit makes one); a token for the
  // others, whose route must refuse even that.
  const webhookSecrets: Record<string, string> = {};
  for (const provider of PROVIDERS) {
    const simulator = DEV_KITS[provider].simulator;
    for (const which of ['a', 'b'] as const) {
      webhookSecrets[accountId(provider, which)] = simulator ? simulator.newWebhookSecret() : randomBytes(24).toString('base64url');
    }
  }
  const config = PipelineConfig.parse({
    accounts: PROVIDERS.flatMap((provider) =>
      (['a', 'b'] as const).map((which) => {
        const id = accountId(provider, which);
        const templates = registryOf(id);
        // The provider's own fields (plan, sender identity) from its fixtures; the registry from the oracle.
        const { templates: _fixtureTemplates, ...fixture } = FIXTURES[provider].account;
        return {
          ...fixture,
          id,
          provider,
          baseUrl: mocks.get(provider)!.url,
          limits: { perSecond: 100_000, recipientGapMs: 0, burstFraction: 0.5 },
          ...(templates ? { templates } : {}),
        };
      }),
    ),
    apiKeys: [
      { id: 'all', sha256: hashApiKey(ALL_KEY), accounts: '*' },
      { id: 'limited', sha256: hashApiKey(LIMITED_KEY), accounts: LIMITED_ACCOUNTS },
    ],
  });
  const secrets = PipelineSecrets.parse({
    recipientHashKey: randomBytes(32).toString('hex'),
    payloadKey: randomBytes(32).toString('base64'),
    credentials: Object.fromEntries(config.accounts.map((a) => [a.id, FIXTURES[a.provider].credential])),
    webhookSecrets: Object.fromEntries(Object.entries(webhookSecrets).map(([id, secret]) => [id, [secret]])),
  });
  // The handlers get their own DynamoDB client, destroyed first on close: a handler still running
  // then (one looping on unfixed code) fails at once instead of reaching a closing dynalite.
  const handlerDynamo = new DynamoDBClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    endpoint: aws.dynamo.endpoint,
  });
  let closing = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  handlerDynamo.middlewareStack.add(
    (next) => async (args) => {
      if (closing) throw new Error('the fuzz stack is closing');
      inFlight++;
      try {
        return await next(args);
      } finally {
        if (--inFlight === 0) drained?.();
      }
    },
    { step: 'initialize', name: 'fuzzStackClosing' },
  );
  const env: RuntimeEnvironment = {
    config,
    secrets,
    storage: dynamoDBStorage({ client: handlerDynamo, tableName: aws.tableName }),
    queueUrl: aws.queueUrl,
    sqs: aws.sqs.client,
  };
  const api = createApiDeps(env);
  const webhooks = createWebhookDeps(env, { log: silentLog });
  const http = await startLocalHttp({
    functions: {
      accept: apiHandler('accept', () => api),
      status: apiHandler('status', () => api),
      webhook: webhookHandler(() => webhooks),
    },
  });

  const errors = { count: 0, first: [] as string[] };
  const originalError = console.error;
  if (options.quiet) {
    console.error = (...args: unknown[]) => {
      errors.count++;
      if (errors.first.length < 20) errors.first.push(args.map(String).join(' ').slice(0, 300));
    };
  }

  const client = new RawClient({
    host: '127.0.0.1',
    port: http.port,
    timeoutMs: options.requestTimeoutMs ?? 10_000,
    maxSockets: options.concurrency ?? 8,
  });
  const store = dynamoDBStorage({ client: aws.dynamo.client, tableName: aws.tableName }).messages;

  /** A request through the API, outside the fuzz figures (seeding). */
  const call = async (method: string, path: string, body?: unknown, key = ALL_KEY): Promise<RawResponse & { json: any }> => {
    const response = await client.send({
      method,
      path,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: Buffer.from(JSON.stringify(body)) } : {}),
    });
    let json: any;
    try {
      json = JSON.parse(response.body);
    } catch {
      json = undefined;
    }
    return { ...response, json };
  };
  const acceptAll = async (requests: unknown[]): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < requests.length; i += 100) {
      const response = await call('POST', '/v1/messages', { messages: requests.slice(i, i + 100) });
      if (response.status !== 202) throw new Error(`seeding: the API answered ${response.status}: ${response.body.slice(0, 500)}`);
      ids.push(...(response.json.messages as Array<{ id: string }>).map((m) => m.id));
    }
    return ids;
  };

  // ---- sent messages of every callback provider's account A, with provider ids
  const sizes = { targets: options.callbackTargets ?? 4, victims: options.callbackVictims ?? 3, cross: options.crossTargets ?? 2 };
  const perProvider = sizes.targets + sizes.victims + sizes.cross;
  let phone = 0;
  const sentRequests = CALLBACK_PROVIDERS.flatMap((provider) =>
    Array.from({ length: perProvider }, () => ({
      provider,
      account: accountId(provider, 'a'),
      recipient: seedPhone(phone++),
      content: simpleContent(accountId(provider, 'a')),
    })),
  );
  const sentIds = await acceptAll(sentRequests);
  const sender = createSenderDeps(env, { log: silentLog });
  const esm = startEventSourceMapping({
    sqs: aws.sqs.client,
    queueUrl: aws.queueUrl,
    queueArn: 'arn:aws:sqs:us-east-1:123456789012:send',
    handler: senderHandler(() => sender),
    maximumConcurrency: 4,
    visibilityTimeoutS: 5,
    waitTimeS: 0.2,
    onError: () => {},
  });
  try {
    await esm.idle();
  } finally {
    await esm.stop();
  }
  const sent: SentMessage[] = await Promise.all(
    sentIds.map(async (id, i) => {
      const request = sentRequests[i]!;
      let record = await store.get(id);
      if (!providerModule(request.provider).adapter.capabilities.returnsMessageId) {
        // Their send answers carry no id (LiveChat, Loopwave): the provider's first callback binds one (matched by recipient).
        const providerMessageId = `FZ${randomBytes(10).toString('hex')}`;
        const callback = providerCallback(request.provider, {
          status: 'sent',
          providerMessageId,
          recipient: request.recipient.slice(1),
          at: Math.floor(Date.now() / 1000),
          secret: webhookSecrets[request.account]!,
        });
        const response = await client.send({
          method: 'POST',
          path: `/v1/webhooks/${request.provider}/${request.account}${callback.pathSuffix}`,
          headers: { 'content-type': 'application/json', ...callback.headers },
          body: Buffer.from(callback.body),
        });
        if (response.status !== 200)
          throw new Error(`seeding: a ${request.provider} callback answered ${String(response.status)}: ${response.body.slice(0, 300)}`);
        record = await store.get(id);
      }
      if (!record?.providerMessageId)
        throw new Error(`seeding: message ${id} (${request.provider}) has no provider id (status ${record?.status})`);
      return {
        id,
        account: request.account,
        provider: request.provider,
        providerMessageId: record.providerMessageId,
        recipient: request.recipient,
      };
    }),
  );
  const split = (provider: CallbackProvider, from: number, count: number) =>
    sent.filter((m) => m.provider === provider).slice(from, from + count);
  const byProvider = <T>(f: (p: CallbackProvider) => T) =>
    Object.fromEntries(CALLBACK_PROVIDERS.map((p) => [p, f(p)])) as Record<CallbackProvider, T>;

  // ---- queued messages for reads and cancels (accepted after the sender stopped: they stay queued)
  const queued: Record<string, string[]> = {};
  const cancellable: Record<string, string[]> = {};
  const cancelled: Record<string, string[]> = {};
  const cancellableCount = options.cancellable ?? 3;
  const waiting: Array<{ account: string; use: 'queued' | 'cancellable' | 'cancelled'; request: unknown }> = [];
  for (const provider of PROVIDERS) {
    for (const which of ['a', 'b'] as const) {
      const account = accountId(provider, which);
      const add = (use: 'queued' | 'cancellable' | 'cancelled', n: number) => {
        for (let i = 0; i < n; i++)
          waiting.push({ account, use, request: { provider, account, recipient: seedPhone(phone++), content: simpleContent(account) } });
      };
      add('queued', 3);
      add('cancellable', cancellableCount);
      add('cancelled', 2);
    }
  }
  const waitingIds = await acceptAll(waiting.map((w) => w.request));
  waiting.forEach((w, i) => {
    const target = w.use === 'queued' ? queued : w.use === 'cancellable' ? cancellable : cancelled;
    (target[w.account] ??= []).push(waitingIds[i]!);
  });
  await Promise.all(
    Object.values(cancelled)
      .flat()
      .map(async (id) => {
        const response = await call('POST', `/v1/messages/${id}/cancel`);
        if (response.status !== 200) throw new Error(`seeding: cancel answered ${String(response.status)}`);
      }),
  );
  // A cursor is valid only for the API key and the filters of the page that handed it out (README).
  const keys = [
    { key: 'all' as const, secret: ALL_KEY, accounts: Object.keys(queued) },
    { key: 'limited' as const, secret: LIMITED_KEY, accounts: Object.keys(queued).filter((a) => LIMITED_ACCOUNTS.includes(a)) },
  ];
  const cursors: Pools['cursors'] = await Promise.all(
    keys.flatMap(({ key, secret, accounts }) =>
      accounts.flatMap((account) =>
        [undefined, 'queued'].map(async (status) => {
          const response = await call(
            'GET',
            `/v1/messages?account=${account}&limit=1${status ? `&status=${status}` : ''}`,
            undefined,
            secret,
          );
          if (response.status !== 200 || !response.json.cursor)
            throw new Error(`seeding: no cursor for ${account}: ${String(response.status)}`);
          return { key, account, ...(status ? { status } : {}), cursor: response.json.cursor as string };
        }),
      ),
    ),
  );

  const pools: Pools = {
    callbackTargets: byProvider((p) => split(p, 0, sizes.targets)),
    callbackVictims: byProvider((p) => split(p, sizes.targets, sizes.victims)),
    crossTargets: byProvider((p) => split(p, sizes.targets + sizes.victims, sizes.cross)),
    queued,
    cancellable,
    cancelled,
    cursors,
  };

  const tableName = aws.tableName;
  const dynamo = aws.dynamo.client;
  return {
    url: http.url,
    client,
    store,
    config,
    secrets,
    webhookSecrets,
    pools,
    errors,
    /** Every id the seeding wrote (not written by a fuzz case). */
    seededIds: new Set([...sentIds, ...waitingIds]),
    /** The raw item under `key` (src/store/table.ts builds them), as stored, or undefined. */
    async item(key: Record<string, string>): Promise<Record<string, AttributeValue> | undefined> {
      const Key = Object.fromEntries(Object.entries(key).map(([name, value]) => [name, { S: value }]));
      const { Item } = await dynamo.send(new GetItemCommand({ TableName: tableName, Key, ConsistentRead: true }));
      return Item;
    },
    /** Whether any account has an alias (`X`) or kept callbacks (`E`) for a provider id. */
    async providerIdItem(kind: 'X' | 'E', provider: string, providerMessageId: string): Promise<boolean> {
      const pk = providerIdItemKey(kind, provider, '', providerMessageId)[KEY.partition]!;
      const page = await dynamo.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': KEY.partition },
          ExpressionAttributeValues: { ':pk': { S: pk } },
          Limit: 1,
        }),
      );
      return (page.Items ?? []).length > 0;
    },
    /** The raw items of messages `ids`, as JSON text by id (what a write would change). */
    async snapshot(ids: readonly string[]): Promise<Map<string, string>> {
      const out = new Map<string, string>();
      for (let i = 0; i < ids.length; i += 100) {
        let keys: Array<Record<string, AttributeValue>> = ids.slice(i, i + 100).map((id) => {
          const key = messageKey(id);
          return { [KEY.partition]: { S: key[KEY.partition]! }, [KEY.sort]: { S: key[KEY.sort]! } };
        });
        while (keys.length > 0) {
          const result = await dynamo.send(
            new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }),
          );
          for (const item of result.Responses?.[tableName] ?? [])
            out.set(messageIdOfKey({ [KEY.partition]: item[KEY.partition]!.S }), JSON.stringify(item, Object.keys(item).sort()));
          keys = (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as typeof keys;
        }
      }
      return out;
    },
    /** Message records of `accounts` created at or after `since` (ISO), through the byAccount index. */
    async recordsSince(accounts: readonly string[], since: string): Promise<Array<{ id: string; account: string; createdAt: string }>> {
      const records: Array<{ id: string; account: string; createdAt: string }> = [];
      for (const account of accounts) {
        let start: Record<string, AttributeValue> | undefined;
        do {
          const page = await dynamo.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: INDEX.byAccount.name,
              KeyConditionExpression: '#a = :a AND #c >= :since',
              ExpressionAttributeNames: { '#a': INDEX.byAccount.partition, '#c': INDEX.byAccount.sort },
              ExpressionAttributeValues: { ':a': { S: account }, ':since': { S: since } },
              ...(start ? { ExclusiveStartKey: start } : {}),
            }),
          );
          for (const item of page.Items ?? [])
            records.push({
              id: messageIdOfKey({ [KEY.partition]: item[KEY.partition]!.S }),
              account,
              createdAt: item[INDEX.byAccount.sort]!.S!.split('#')[0]!,
            });
          start = page.LastEvaluatedKey;
        } while (start);
      }
      return records;
    },
    recipientHash: (e164: string) => recipientRef(secrets.recipientHashKey, e164).hash,
    async close() {
      // No handler call starts any more; those under way finish before dynalite closes.
      closing = true;
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
      handlerDynamo.destroy();
      client.close();
      await http.close();
      console.error = originalError;
      await Promise.all([...mocks.values()].map((mock) => mock.close()));
      await aws.close();
    },
  };
}

/** The simplest content each account takes: a registered template, a text for Loopwave. */
export function simpleContent(account: string): Record<string, unknown> {
  const provider = providerOf(account);
  if (!CAPABILITIES[provider].kinds.includes('template')) return { kind: 'text', text: 'Your order has shipped.' };
  const registered = registryOf(account)?.find((t) => !t.namedParameters);
  if (registered)
    return {
      kind: 'template',
      name: registered.name,
      language: registered.language,
      ...(registered.bodyParameters ? { body: Array.from({ length: registered.bodyParameters }, (_, i) => `value ${i + 1}`) } : {}),
    };
  return { kind: 'template', name: 'order_update', language: 'en_US', body: ['A-17', 'shipped'] };
}
