/**
 * The stack's configuration (`Pulumi.<stack>.yaml`), read and validated once when the program
 * starts; errors name the key (and, for secrets, the account). Keys live under the project's
 * namespace (`whatsapp-provider-kit:`):
 *
 * - `pipeline` — accounts and API key hashes (src/config/pipeline.ts `PipelineConfig`)
 * - `secrets` (secret) — recipient hash key, payload key, provider credentials, webhook and push
 *   secrets (`PipelineSecrets`); set with `pulumi config set --secret --path 'secrets.…'`. Every
 *   account needs its credential, every account whose provider sends callbacks its webhook
 *   secret, every pushing account its push secret.
 * - `sender` — `{batchSize, maximumBatchingWindowSeconds, maximumConcurrency, timeoutSeconds, memoryMb}`
 * - `throttles` — per API route `{rate, burst}`, over the defaults (infra/components/http-api.ts)
 * - `webhook` — `{reservedConcurrency}`: the callbacks' function URL's flood guard
 * - `alarmEmails`, `alarmTopicArn` — who hears the alarms
 * - `logRetentionDays`, `configMaxAgeSeconds`, `configVersion`, `tags`
 */
import * as pulumi from '@pulumi/pulumi';
import * as z from 'zod';
import { routesServedBy, type HttpApiRouteName } from '../src/api/routes.ts';
import { ConfigError, parseConfig, PipelineConfig, PipelineSecrets, requireAccountSecrets } from '../src/config/pipeline.ts';
import { providerModule } from '../src/providers/index.ts';
import type { ProviderName } from '../src/providers/names.ts';
import { verifySecretToken } from '../src/webhooks/schemes.ts';

/** The HTTP API's routes: the ones a throttle applies to (callbacks come by the webhook function's URL). */
const ROUTE_NAMES = routesServedBy('httpApi').map((route) => route.name) as [HttpApiRouteName, ...HttpApiRouteName[]];

const RouteThrottle = z.strictObject({
  rate: z.int().min(1).max(10_000, "must be at most 10,000 (the account's regional limit)"),
  burst: z.int().min(1).max(5_000, "must be at most 5,000 (the account's regional limit)"),
});

export const StackSettings = z.strictObject({
  sender: z
    .strictObject({
      batchSize: z.int().min(1).max(10_000).optional(),
      maximumBatchingWindowSeconds: z.int().min(0).max(300).optional(),
      maximumConcurrency: z.int().min(2, "must be at least 2 (Lambda's minimum)").max(1000).optional(),
      timeoutSeconds: z.int().min(5).max(900).optional(),
      memoryMb: z.int().min(128).max(10240).optional(),
    })
    .refine((sender) => !(sender.batchSize !== undefined && sender.batchSize > 10 && sender.maximumBatchingWindowSeconds === 0), {
      path: ['maximumBatchingWindowSeconds'],
      message: 'must be at least 1 with a batchSize over 10 (Lambda requires a batching window for batches over 10)',
    })
    .default({}),
  logRetentionDays: z
    .union([
      z.literal(1),
      z.literal(3),
      z.literal(5),
      z.literal(7),
      z.literal(14),
      z.literal(30),
      z.literal(60),
      z.literal(90),
      z.literal(180),
      z.literal(365),
    ])
    .default(30),
  webhook: z.strictObject({ reservedConcurrency: z.int().min(1).max(1000).optional() }).default({}),
  alarmTopicArn: z.string().startsWith('arn:aws:sns:').optional(),
  alarmEmails: z.array(z.email('must be an email address')).optional(),
  throttles: z
    .partialRecord(z.enum(ROUTE_NAMES), RouteThrottle, {
      // zod reports keys outside the enum as `unrecognized_keys`, which its types for records omit.
      error: (issue) => {
        const { code, keys } = issue as { code: string; keys?: string[] };
        return code === 'unrecognized_keys'
          ? `no API route ${keys?.join(', ')}: the API's routes are ${ROUTE_NAMES.join(', ')} (callbacks come by the webhook's function URL: webhook.reservedConcurrency bounds them)`
          : undefined;
      },
    })
    .optional(),
  /** Bump to write the secret again although nothing in it changed (a change is detected without it). */
  configVersion: z.int().min(1).default(1),
  configMaxAgeSeconds: z.int().min(0).max(3600).default(300),
  /** Tags on every resource, besides `project` and `stack`. */
  tags: z.record(z.string().min(1).max(128), z.string().max(256)).optional(),
});
export type StackSettings = z.output<typeof StackSettings>;

export function readStackConfig() {
  const config = new pulumi.Config();
  const namespace = pulumi.getProject();
  const pipeline = parseConfig(PipelineConfig, config.getObject('pipeline') ?? undefined, `${namespace}:pipeline`);
  const settings = parseConfig(
    StackSettings,
    {
      sender: config.getObject('sender'),
      webhook: config.getObject('webhook'),
      logRetentionDays: config.getNumber('logRetentionDays'),
      alarmTopicArn: config.get('alarmTopicArn'),
      alarmEmails: config.getObject('alarmEmails'),
      throttles: config.getObject('throttles'),
      configVersion: config.getNumber('configVersion'),
      configMaxAgeSeconds: config.getNumber('configMaxAgeSeconds'),
      tags: config.getObject('tags'),
    },
    `${namespace} settings`,
  );
  // The secrets are validated here, before any resource, so a gap stops `pulumi preview` naming the
  // key and the account; error messages never carry a value. The document stays a Pulumi secret.
  const raw = config.getObject<unknown>('secrets');
  if (raw === undefined)
    throw new ConfigError(
      `${namespace}:secrets is not set: set each secret with pulumi config set --secret --path 'secrets.…' (docs/operations.md, "Deploy to AWS")`,
    );
  const secrets = parseConfig(PipelineSecrets, raw, `${namespace}:secrets`);
  requireAccountSecrets(pipeline, secrets, `${namespace}:secrets`);
  const document = pulumi.secret(JSON.stringify({ config: pipeline, secrets }));
  if (!settings.alarmTopicArn && !settings.alarmEmails?.length) {
    pulumi.log.warn(
      `neither ${namespace}:alarmEmails nor ${namespace}:alarmTopicArn is set: ` +
        'alarms go to a topic nobody is subscribed to (output alarmTopicArn)',
    );
  }
  return { pipeline, settings, document };
}

/**
 * Each account's callback URL at `base` (the webhook function's URL + `/v1/webhooks`), by account
 * id, for the accounts whose provider sends callbacks; `{token}` stands for the account's secret
 * token where the provider signs nothing (the token itself is a secret: never in an output).
 */
export function callbackUrlsOf(base: string, accounts: ReadonlyArray<{ id: string; provider: ProviderName }>): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const account of accounts) {
    const webhook = providerModule(account.provider).webhook;
    if (!webhook) continue;
    const token = webhook.verify === verifySecretToken ? '/{token}' : '';
    urls[account.id] = `${base}/${account.provider}/${encodeURIComponent(account.id)}${token}`;
  }
  return urls;
}
