/**
 * The worker thread of the local DynamoDB (aws.ts `startDynamo({ thread: true })`): dynalite on
 * the port and folder given as `workerData`. Tells `ready` {port} or `failed` {code, message};
 * takes `stop` (closes the server and its database, then the thread ends).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

const port = parentPort!;
const options = workerData as { port: number; path?: string };
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path ? { path: options.path } : {}) });
server.once('error', (error: NodeJS.ErrnoException) => {
  port.postMessage({ type: 'failed', code: error.code, message: error.message });
  port.close();
});
server.listen(options.port, '127.0.0.1', () => port.postMessage({ type: 'ready', port: (server.address() as AddressInfo).port }));
port.on('message', (message: { type: string }) => {
  if (message.type !== 'stop') return;
  server.close(() => port.close());
  server.closeAllConnections?.();
});
