/**
 * The worker thread of the providers' side (provider-side.ts), started by provider-thread.ts with
 * its options as `workerData`. Tells `ready` {urls} or `failed` {name, message}; takes `connect`
 * {targets} and `stop` (answered `stopped`). Log lines go up as `log`.
 */
import module from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

module.enableCompileCache?.();
const port = parentPort!;
const { startProviderSide } = await import('./provider-side.ts');
type Side = Awaited<ReturnType<typeof startProviderSide>>;

let side: Side | undefined;
const options = workerData as { ports: never; holdMs: number; latencyMs?: number; requestLog?: string; outage?: never };
const starting = startProviderSide({ ...options, log: (line) => port.postMessage({ type: 'log', line }) }).then(
  (started) => {
    side = started;
    port.postMessage({ type: 'ready', urls: started.urls });
  },
  (error: Error) => port.postMessage({ type: 'failed', name: error.name, message: error.message }),
);
port.on('message', (message: { type: string; targets?: never }) => {
  if (message.type === 'connect') side?.connect(message.targets!);
  if (message.type === 'stop') {
    void starting
      .then(() => side?.close())
      .finally(() => {
        port.postMessage({ type: 'stopped' });
        port.close();
      });
  }
});
