/**
 * Lambda, run every minute by a schedule: the sweeper (src/scheduler/requeue.ts). Held messages
 * whose time has come go back on the send queue, messages not claimed within the grace are
 * enqueued again, and stale claims become `unknown`.
 */
import { payloadCipher } from '../privacy/payload-cipher.ts';
import { SendQueue } from '../queue/send-queue.ts';
import { requeueDue, type RequeueDeps, type RequeueReport } from '../scheduler/requeue.ts';
import { lazyLoader } from '../runtime/loader.ts';
import { functionLog } from '../runtime/log.ts';
import type { HandlerOptions } from './api-handler.ts';
import { configMaxAgeMs, runtimeFromEnvironment, type RuntimeEnvironment } from './runtime.ts';

export function requeueDeps(env: RuntimeEnvironment): RequeueDeps {
  return {
    due: env.storage.due,
    claims: env.storage.claims,
    queue: new SendQueue(env.sqs, env.queueUrl),
    cipher: payloadCipher(env.secrets.payloadKey),
    now: env.now ?? (() => new Date()),
    accounts: env.config.accounts.map((account) => account.id),
    ...(env.sweepGraceMs !== undefined ? { graceMs: env.sweepGraceMs } : {}),
  };
}

/** The handler over `deps` (built on first use; a failed build is tried again by the next run). */
export function requeueHandler(load: () => RequeueDeps | Promise<RequeueDeps>, options: HandlerOptions = {}) {
  const deps = lazyLoader(load, options);
  const log = options.log ?? functionLog('requeue');
  return async (): Promise<Omit<RequeueReport, 'requeuedIds'>> => {
    const { requeuedIds: _ids, ...report } = await requeueDue(await deps());
    log.info('requeue', report);
    return report;
  };
}

export const handler = requeueHandler(async () => requeueDeps(await runtimeFromEnvironment()), { maxAgeMs: configMaxAgeMs });
