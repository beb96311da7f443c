/**
 * The Pulumi program (`pulumi up`): the pipeline from the stack's configuration, every resource
 * tagged with the project and the stack. Its exports are the stack's outputs, and only those; the
 * components are for other programs: `import { WhatsAppPipeline } from 'whatsapp-provider-kit/infra'`.
 */
import { WhatsAppPipeline } from './components/pipeline.ts';
import { callbackUrlsOf, readStackConfig } from './config.ts';
import { awsProvider } from './provider.ts';

const { pipeline: stackPipeline, settings, document } = readStackConfig();
const provider = awsProvider(settings.tags);
const pipeline = new WhatsAppPipeline(
  'wa',
  {
    configDocument: document,
    configVersion: settings.configVersion,
    configMaxAgeSeconds: settings.configMaxAgeSeconds,
    sender: settings.sender,
    webhook: settings.webhook,
    logRetentionDays: settings.logRetentionDays,
    ...(settings.alarmTopicArn ? { alarmTopicArn: settings.alarmTopicArn } : {}),
    ...(settings.alarmEmails ? { alarmEmails: settings.alarmEmails } : {}),
    ...(settings.throttles ? { throttles: settings.throttles } : {}),
  },
  { providers: { aws: provider } },
);

export const apiUrl = pipeline.api.url;
/** Where providers send callbacks: the webhook function's URL (src/api/routes.ts `entry`), not the API's. */
export const webhookBaseUrl = pipeline.webhookUrl.url.apply((url) => `${url.replace(/\/$/, '')}/v1/webhooks`);
/**
 * Each account's callback URL, to set at its provider (docs/pipeline.md, "Status callbacks"):
 * `{token}` stands for the account's secret token where the provider signs nothing (Gupshup, in
 * the path; Kaleyra may send it in `X-Webhook-Token` instead). Accounts of providers that send no
 * callbacks (LiveTok) have none.
 */
export const callbackUrls = webhookBaseUrl.apply((base) => callbackUrlsOf(base, stackPipeline.accounts));
export const tableName = pipeline.table.table.name;
export const sendQueueUrl = pipeline.sendQueue.queue.url;
export const sendDeadLetterQueueUrl = pipeline.sendQueue.deadLetterQueue.url;
export const pushDeadLetterQueueUrl = pipeline.pushQueue.deadLetterQueue.url;
export const alarmTopicArn = pipeline.alarms.topicArn;
/** The configuration's content version, as the functions see it (`CONFIG_VERSION`). */
export const configVersion = pipeline.configSecret.version;
export const bundleBytes = Object.fromEntries(Object.entries(pipeline.functions).map(([name, fn]) => [name, fn.bundleBytes]));
