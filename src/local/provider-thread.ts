/**
 * Starts the providers' side of the local stack (provider-side.ts: the mocks and the callback
 * simulator) in a worker thread, and talks to it. Light on purpose: the stack starts it before
 * loading its own modules, so that the two start at the same time on two cores.
 */
import { Worker } from 'node:worker_threads';
import { LocalStackError } from '../errors.ts';
import type { ProviderName } from '../providers/names.ts';
import { PortTakenError } from './ports.ts';
import type { Outage } from './outage.ts';
import type { WebhookTargets } from './provider-side.ts';

export interface ProviderThread {
  /** The mocks' URLs, once they listen; rejects with the start failure (a {@link PortTakenError} for a taken port). */
  ready: Promise<Record<ProviderName, string>>;
  connect(targets: WebhookTargets): void;
  stop(): Promise<void>;
}

export function startProviderThread(options: {
  ports: Record<ProviderName, number>;
  holdMs: number;
  /** How long each mock takes to answer. */
  latencyMs?: number;
  /** A file the mocks append one line to per answer (provider-side.ts). */
  requestLog?: string;
  /** A provider whose mock refuses every send for a while (outage.ts). */
  outage?: Outage;
  log(line: string): void;
  /** The thread ended without being stopped (after it was ready: before, `ready` rejects). */
  onFailure?(error: Error): void;
}): ProviderThread {
  // The worker's file is beside this one: .ts from a checkout, .js once built.
  const entry = new URL(`./provider-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  const worker = new Worker(entry, {
    workerData: {
      ports: options.ports,
      holdMs: options.holdMs,
      latencyMs: options.latencyMs,
      requestLog: options.requestLog,
      outage: options.outage,
    },
  });
  let exited = false;
  let stopping = false;
  let isReady = false;
  let failure: Error | undefined;
  const exit = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      exited = true;
      if (!stopping && isReady) options.onFailure?.(failure ?? new LocalStackError(`the provider mocks stopped (exit code ${code})`));
      resolve();
    }),
  );
  const ready = new Promise<Record<ProviderName, string>>((resolve, reject) => {
    type Message = { type: string; urls?: Record<ProviderName, string>; name?: string; message?: string; line?: string };
    worker.on('message', (message: Message) => {
      if (message.type === 'ready') {
        isReady = true;
        resolve(message.urls!);
      }
      if (message.type === 'failed') {
        reject(message.name === 'PortTakenError' ? new PortTakenError(message.message!) : new LocalStackError(message.message!));
      }
      if (message.type === 'log') options.log(message.line!);
    });
    worker.once('error', (error) => reject(new LocalStackError(`the provider mocks failed: ${error.message}`, { cause: error })));
    void exit.then(() => reject(new LocalStackError('the provider mocks stopped before they were ready')));
  });
  ready.catch(() => {}); // whoever awaits it sees the failure; an unawaited one is no crash
  worker.on('error', (error) => (failure = new LocalStackError(`the provider mocks failed: ${error.message}`, { cause: error })));
  return {
    ready,
    connect: (targets) => worker.postMessage({ type: 'connect', targets }),
    async stop() {
      if (exited) return;
      stopping = true;
      worker.postMessage({ type: 'stop' });
      // Closed servers let the thread end by itself; a stuck one is ended after a while.
      const timer = setTimeout(() => void worker.terminate(), 5000);
      await exit;
      clearTimeout(timer);
    },
  };
}
