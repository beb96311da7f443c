/**
 * The providers' side of the local stack: a Prism mock per provider, answering scenario numbers
 * as their scenarios say (src/local/scenarios.ts), and the simulator posting each provider's
 * status callbacks to our webhook route. It runs in its own worker thread (provider-thread.ts),
 * as the providers run on their own machines: Prism's start — most of the stack's start-up work —
 * overlaps ours on the other core, and its per-request validation never holds up the pipeline.
 */
import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { LocalStackError } from '../errors.ts';
import type { ProviderName } from '../providers/names.ts';
import { byProvider, PROVIDERS } from '../providers/names.ts';
import { startProviderMock, type MockAnswer, type ProviderMock } from '../mock/provider-mock.ts';
import { listenOrExplain } from './ports.ts';
import { type Outage, withOutage } from './outage.ts';
import { scenarioAnswers } from './scenarios.ts';
import { CallbackSimulator, type SimulatorOptions } from './simulator.ts';

export interface ProviderSideOptions {
  /** The mocks' ports (0: any free one). */
  ports: Record<ProviderName, number>;
  /** How long the timeout scenario holds a request. */
  holdMs: number;
  /** How long each mock takes to answer, as a real provider takes time (so a crash can find a call in flight). */
  latencyMs?: number;
  /**
   * A file the mocks append one JSON line to per answer: provider, method, path, status and a
   * SHA-256 of the request body (no phone number) — what reached the "provider", across restarts.
   */
  requestLog?: string;
  /** A provider whose mock refuses every send for a while (src/local/outage.ts). */
  outage?: Outage;
  log(line: string): void;
}

/** Where the callbacks go: known once our HTTP server listens and the config is read. */
export type WebhookTargets = Pick<SimulatorOptions, 'webhookBase' | 'accounts' | 'failureRate'>;

export interface ProviderSide {
  urls: Record<ProviderName, string>;
  /** Starts the callbacks: until then, accepted sends get none (nothing can send before the stack is ready). */
  connect(targets: WebhookTargets): void;
  close(): Promise<void>;
}

export async function startProviderSide(options: ProviderSideOptions): Promise<ProviderSide> {
  let simulator: CallbackSimulator | undefined;
  const answers = scenarioAnswers({ holdMs: options.holdMs });
  const startedAt = Date.now();
  const logFile = options.requestLog;
  const requestLog = logFile
    ? (provider: ProviderName, answer: MockAnswer) => {
        const sha256 = createHash('sha256').update(answer.requestBody).digest('hex');
        appendFileSync(
          logFile,
          `${JSON.stringify({ provider, method: answer.method, path: answer.path, status: answer.status, sha256 })}\n`,
        );
      }
    : undefined;
  const results = await Promise.allSettled(
    PROVIDERS.map((provider) =>
      listenOrExplain(`the ${provider} mock`, options.ports[provider], () =>
        startProviderMock(provider, {
          port: options.ports[provider],
          scenario: withOutage(provider, options.outage, answers(provider), startedAt),
          beforeReply: (answer) => simulator?.listener(provider)(answer),
          ...(options.latencyMs ? { latencyMs: options.latencyMs } : {}),
          ...(requestLog ? { onAnswered: (answer) => requestLog(provider, answer) } : {}),
        }),
      ),
    ),
  );
  const mocks = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const close = async () => {
    simulator?.stop();
    await Promise.all(mocks.map((mock: ProviderMock) => mock.close().catch(() => {})));
  };
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) {
    await close();
    throw (failed as PromiseRejectedResult).reason;
  }
  return {
    urls: byProvider((provider) => urlOf(mocks, provider)),
    connect(targets) {
      const onError = (error: unknown) => options.log(`simulated callback failed: ${(error as Error).message}`);
      simulator = new CallbackSimulator({ ...targets, onError });
    },
    close,
  };
}

/** The URL of `provider`'s mock; every provider's was started (a failed start throws before). */
function urlOf(mocks: readonly ProviderMock[], provider: ProviderName): string {
  const mock = mocks.find((started) => started.provider === provider);
  if (!mock) throw new LocalStackError(`the ${provider} mock did not start`);
  return mock.url;
}
