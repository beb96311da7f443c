/**
 * `wapk dlq redrive`: moves messages from a dead-letter queue back to its queue. Each message is
 * received from the DLQ, sent to the queue, and deleted from the DLQ only once the send
 * succeeded: a failure leaves it in the DLQ (visible again after the visibility timeout), never
 * lost. AWS credentials and region come from the environment; `--endpoint` (or the local stack's
 * `sqsEndpoint`) points at a local SQS.
 */
import type { MessageAttributeValue, SQSClientConfig } from '@aws-sdk/client-sqs';
import { expectPositionals, numberFlag, parse, USAGE } from '../args.ts';
import { CliError, UsageError } from '../errors.ts';
import { err, out, printJson } from '../io.ts';
import { readLocalState, type Environment } from '../settings.ts';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

export async function dlq(args: readonly string[], environment: Environment): Promise<number> {
  const usage = USAGE.dlq;
  const { values, positionals } = parse(
    args,
    { 'dlq-url': { type: 'string' }, 'queue-url': { type: 'string' }, endpoint: { type: 'string' }, max: { type: 'string' } },
    usage,
  );
  if (values.help) {
    out(`usage: ${usage}`);
    return 0;
  }
  if (positionals[0] !== 'redrive')
    throw new UsageError(
      positionals.length === 0 ? 'dlq needs a subcommand: redrive' : `dlq: unknown subcommand ${JSON.stringify(positionals[0])}`,
      usage,
    );
  expectPositionals('dlq redrive', positionals.slice(1), [], usage);
  const max = numberFlag('max', values.max, Infinity, { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true }, usage);

  const { path, state } = readLocalState(environment);
  const dlqUrl = values['dlq-url'] ?? state.deadLetterUrl;
  const queueUrl = values['queue-url'] ?? state.queueUrl;
  if (!dlqUrl || !queueUrl) {
    const missing = [!dlqUrl ? '--dlq-url' : '', !queueUrl ? '--queue-url' : ''].filter(Boolean).join(', ');
    throw new UsageError(`dlq redrive needs ${missing} (or the local stack's ${path})`, usage);
  }
  const dlqOrigin = originOf(dlqUrl, '--dlq-url', usage);
  originOf(queueUrl, '--queue-url', usage);
  // The local stack's endpoint serves its own queues, not queues elsewhere.
  const endpoint =
    values.endpoint ??
    (state.sqsEndpoint && (values['dlq-url'] === undefined || originOf(state.sqsEndpoint, 'sqsEndpoint', usage) === dlqOrigin)
      ? state.sqsEndpoint
      : undefined);
  if (endpoint !== undefined) originOf(endpoint, '--endpoint', usage);

  const sqs = await import('@aws-sdk/client-sqs');
  const client = new sqs.SQSClient(clientConfig(endpoint, dlqUrl, environment.env));
  let moved = 0;
  let failed = 0;
  let lastFailure = '';
  let notDeleted = 0;
  const attempted = new Set<string>();
  try {
    while (moved + failed < max) {
      const { Messages = [] } = await call('receive from the DLQ', () =>
        client.send(
          new sqs.ReceiveMessageCommand({
            QueueUrl: dlqUrl,
            MaxNumberOfMessages: Math.min(10, max - moved - failed),
            WaitTimeSeconds: 1,
            VisibilityTimeout: 60,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['All'],
          }),
        ),
      );
      // A message whose send failed becomes visible again later: it is not tried twice in one run.
      const batch = Messages.filter((message) => message.MessageId && message.ReceiptHandle && !attempted.has(message.MessageId));
      if (batch.length === 0) break;
      for (const message of batch) attempted.add(message.MessageId!);

      const sent = await call('send to the queue', () =>
        client.send(
          new sqs.SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: batch.map((message, i) => ({
              Id: String(i),
              MessageBody: message.Body ?? '',
              ...(message.MessageAttributes && Object.keys(message.MessageAttributes).length > 0
                ? { MessageAttributes: plainAttributes(message.MessageAttributes) }
                : {}),
              ...(message.Attributes?.MessageGroupId ? { MessageGroupId: message.Attributes.MessageGroupId } : {}),
              ...(message.Attributes?.MessageDeduplicationId ? { MessageDeduplicationId: message.Attributes.MessageDeduplicationId } : {}),
            })),
          }),
        ),
      );
      for (const failure of sent.Failed ?? []) lastFailure = `${failure.Code ?? 'error'}: ${failure.Message ?? 'refused'}`;
      const ok = new Set((sent.Successful ?? []).map((entry) => entry.Id));
      const toDelete = batch.filter((_, i) => ok.has(String(i)));
      failed += batch.length - toDelete.length;
      if (toDelete.length === 0) continue;

      const deleted = await call('delete from the DLQ', () =>
        client.send(
          new sqs.DeleteMessageBatchCommand({
            QueueUrl: dlqUrl,
            Entries: toDelete.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle! })),
          }),
        ),
      );
      notDeleted += deleted.Failed?.length ?? 0;
      moved += toDelete.length;
    }
  } catch (error) {
    if (moved > 0) err(`wapk: moved ${moved} message(s) before the failure`);
    throw error;
  } finally {
    client.destroy();
  }

  if (values.json) printJson({ moved, failed, ...(notDeleted > 0 ? { notDeleted } : {}) });
  else out(`moved ${moved} message(s) from ${dlqUrl} to ${queueUrl}`);
  if (notDeleted > 0)
    err(
      `wapk: ${notDeleted} moved message(s) could not be deleted from the DLQ and are now in both queues (the sender sends a message once)`,
    );
  if (failed > 0) {
    err(`wapk: ${failed} message(s) could not be sent to the queue and stay in the DLQ (${lastFailure})`);
    return 1;
  }
  return 0;
}

function originOf(url: string, name: string, usage: string): string {
  const parsed = URL.parse(url);
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new UsageError(`${name} is not an http(s) URL: ${JSON.stringify(url)}`, usage);
  }
  return parsed.origin;
}

/**
 * Region and credentials from the environment (the SDK's default chain). Against a local SQS on
 * loopback, without credentials in the environment, the local stack's placeholders serve.
 */
function clientConfig(endpoint: string | undefined, queueUrl: string, env: NodeJS.ProcessEnv): SQSClientConfig {
  const local = endpoint !== undefined && LOOPBACK.test(new URL(endpoint).hostname);
  const region =
    env.AWS_REGION ||
    env.AWS_DEFAULT_REGION ||
    /^https?:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com/.exec(queueUrl)?.[1] ||
    (local ? 'us-east-1' : undefined);
  const hasCredentials = !!(
    env.AWS_ACCESS_KEY_ID ||
    env.AWS_PROFILE ||
    env.AWS_WEB_IDENTITY_TOKEN_FILE ||
    env.AWS_CONTAINER_CREDENTIALS_FULL_URI ||
    env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
  );
  return {
    ...(region ? { region } : {}),
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(local && !hasCredentials ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 3,
  };
}

/** SQS answers list attributes that SendMessage refuses when empty: keep the values. */
function plainAttributes(attributes: Record<string, MessageAttributeValue>): Record<string, MessageAttributeValue> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      {
        DataType: value.DataType,
        ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
        ...(value.BinaryValue !== undefined ? { BinaryValue: value.BinaryValue } : {}),
      },
    ]),
  );
}

/** An SDK failure as one line naming the step. */
async function call<T>(step: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const e = error as { name?: string; message?: string };
    const message = /region is missing/i.test(e.message ?? '')
      ? 'no AWS region: set AWS_REGION'
      : `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message ?? String(error)}`;
    throw new CliError(`SQS ${step} failed: ${message}`, { cause: error });
  }
}
