/** Lambda, run every minute by a schedule: puts held messages whose time has come back on the send queue. */
import { payloadCipher } from '../privacy/payload-cipher.ts';
import { SendQueue } from '../queue/send-queue.ts';
import { requeueDue, type RequeueDeps, type RequeueReport } from '../scheduler/requeue.ts';
import { MessageStore } from '../store/message-store.ts';
import { refreshing } from './refresh.ts';
import { runtimeFromEnvironment, type RuntimeEnvironment } from './runtime.ts';

export function requeueDeps(env: RuntimeEnvironment): RequeueDeps {
  return {
    store: new MessageStore(env.dynamo, env.tableName),
    queue: new SendQueue(env.sqs, env.queueUrl),
    cipher: payloadCipher(env.secrets.payloadKey),
    now: env.now ?? (() => new Date()),
  };
}

export const handler = refreshing(() => {
  let deps: RequeueDeps | undefined;
  return async (): Promise<RequeueReport> => {
    deps ??= requeueDeps(await runtimeFromEnvironment());
    const report = await requeueDue(deps);
    console.log(JSON.stringify({ level: 'info', message: 'requeue', ...report }));
    return report;
  };
});
