/**
 * The stack's configuration (`Pulumi.<stack>.yaml`), read and validated once when the program
 * starts; errors name the key. Keys live under the project's namespace (`whatsapp-provider-kit:`):
 *
 * - `pipeline` — accounts and API key hashes (src/config/pipeline.ts `PipelineConfig`)
 * - `secrets` (secret) — recipient hash key, payload key, provider credentials, webhook and push
 *   secrets (`PipelineSecrets`); set with `pulumi config set --secret --path 'secrets.…'`
 * - `sender` — `{batchSize, maximumConcurrency, timeoutSeconds, memoryMb}`
 * - `logRetentionDays`, `alarmTopicArn`, `configVersion`
 */
import * as pulumi from '@pulumi/pulumi';
import { z } from 'zod';
import { parseConfig, PipelineConfig, PipelineSecrets } from '../src/config/pipeline.ts';

export const StackSettings = z.strictObject({
  sender: z
    .strictObject({
      batchSize: z.int().min(1).max(10).optional(),
      maximumConcurrency: z.int().min(2, "must be at least 2 (Lambda's minimum)").max(1000).optional(),
      timeoutSeconds: z.int().min(5).max(900).optional(),
      memoryMb: z.int().min(128).max(10240).optional(),
    })
    .default({}),
  logRetentionDays: z.union([z.literal(1), z.literal(3), z.literal(5), z.literal(7), z.literal(14), z.literal(30), z.literal(60), z.literal(90), z.literal(180), z.literal(365)]).default(30),
  alarmTopicArn: z.string().startsWith('arn:aws:sns:').optional(),
  configVersion: z.int().min(1).default(1),
});

export function readStackConfig() {
  const config = new pulumi.Config();
  const namespace = pulumi.getProject();
  const pipeline = parseConfig(PipelineConfig, config.getObject('pipeline') ?? undefined, `${namespace}:pipeline`);
  const settings = parseConfig(
    StackSettings,
    { sender: config.getObject('sender'), logRetentionDays: config.getNumber('logRetentionDays'), alarmTopicArn: config.get('alarmTopicArn'), configVersion: config.getNumber('configVersion') },
    `${namespace} settings`,
  );
  // Validate the secrets without ever printing them; the document stays a Pulumi secret.
  const document = config.requireSecretObject<unknown>('secrets').apply((secrets) => {
    const parsed = parseConfig(PipelineSecrets, secrets, `${namespace}:secrets`);
    return JSON.stringify({ config: pipeline, secrets: parsed });
  });
  return { pipeline, settings, document };
}
