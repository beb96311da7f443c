/**
 * The Pulumi program (`pulumi up`): the pipeline from the stack's configuration. The components
 * are exported for other Pulumi programs: `import { WhatsAppPipeline } from 'whatsapp-provider-kit/infra'`.
 */
import { WhatsAppPipeline } from './components/pipeline.ts';
import { readStackConfig } from './config.ts';

export * from './components/index.ts';

const { settings, document } = readStackConfig();
const pipeline = new WhatsAppPipeline('wa', {
  configDocument: document,
  configVersion: settings.configVersion,
  sender: settings.sender,
  logRetentionDays: settings.logRetentionDays,
  ...(settings.alarmTopicArn ? { alarmTopicArn: settings.alarmTopicArn } : {}),
});

export const apiUrl = pipeline.api.url;
export const webhookBaseUrl = pipeline.api.url.apply((url) => `${url.replace(/\/$/, '')}/v1/webhooks`);
export const tableName = pipeline.table.table.name;
export const sendQueueUrl = pipeline.sendQueue.queue.url;
export const sendDeadLetterQueueUrl = pipeline.sendQueue.deadLetterQueue.url;
export const pushDeadLetterQueueUrl = pipeline.pushQueue.deadLetterQueue.url;
export const bundleBytes = Object.fromEntries(Object.entries(pipeline.functions).map(([name, fn]) => [name, fn.bundleBytes]));
