/**
 * The Pulumi program (`pulumi up`): the pipeline from the stack's configuration, every resource
 * tagged with the project and the stack. Its exports are the stack's outputs, and only those; the
 * components are for other programs: `import { WhatsAppPipeline } from 'whatsapp-provider-kit/infra'`.
 */
import { WhatsAppPipeline } from './components/pipeline.ts';
import { readStackConfig } from './config.ts';
import { awsProvider } from './provider.ts';

const { settings, document } = readStackConfig();
const provider = awsProvider(settings.tags);
const pipeline = new WhatsAppPipeline(
  'wa',
  {
    configDocument: document,
    configVersion: settings.configVersion,
    configMaxAgeSeconds: settings.configMaxAgeSeconds,
    sender: settings.sender,
    logRetentionDays: settings.logRetentionDays,
    ...(settings.alarmTopicArn ? { alarmTopicArn: settings.alarmTopicArn } : {}),
    ...(settings.alarmEmails ? { alarmEmails: settings.alarmEmails } : {}),
    ...(settings.throttles ? { throttles: settings.throttles } : {}),
  },
  { providers: { aws: provider } },
);

export const apiUrl = pipeline.api.url;
export const webhookBaseUrl = pipeline.api.url.apply((url) => `${url.replace(/\/$/, '')}/v1/webhooks`);
export const tableName = pipeline.table.table.name;
export const sendQueueUrl = pipeline.sendQueue.queue.url;
export const sendDeadLetterQueueUrl = pipeline.sendQueue.deadLetterQueue.url;
export const pushDeadLetterQueueUrl = pipeline.pushQueue.deadLetterQueue.url;
export const alarmTopicArn = pipeline.alarms.topicArn;
/** The configuration's content version, as the functions see it (`CONFIG_VERSION`). */
export const configVersion = pipeline.configSecret.version;
export const bundleBytes = Object.fromEntries(Object.entries(pipeline.functions).map(([name, fn]) => [name, fn.bundleBytes]));
