/**
 * `npm start`: the whole pipeline on this machine (src/local/stack.ts), until Ctrl-C.
 *
 * Environment: `WAPK_HOME` (default `.local`), `WAPK_PORTS=ephemeral` (any free ports, for tests),
 * `WAPK_HTTP_PORT` (default 3000), `WAPK_FAILURE_RATE` (share of simulated failures, default 0.1),
 * `WAPK_SWEEP_GRACE_MS` (how long a queued message may wait unclaimed before the sweeper enqueues
 * it again, default 120000), `WAPK_SWEEP_INTERVAL_MS` (default 60000), `WAPK_SENDER_TIMEOUT_MS`
 * (default 30000), `WAPK_MOCK_LOG` (a file the provider mocks append one line per answer to),
 * `WAPK_MOCK_LATENCY_MS` (how long the provider mocks take to answer, default 0).
 */
import { resolve } from 'node:path';
import { DEFAULT_PORTS, EPHEMERAL_PORTS, PortTakenError, startLocalStack } from '../src/local/stack.ts';
import { PROVIDERS } from '../src/providers/names.ts';

const home = resolve(process.env.WAPK_HOME ?? '.local');
const ports = process.env.WAPK_PORTS === 'ephemeral' ? EPHEMERAL_PORTS : { ...DEFAULT_PORTS, http: Number(process.env.WAPK_HTTP_PORT ?? DEFAULT_PORTS.http) };
const failureRate = Number(process.env.WAPK_FAILURE_RATE ?? 0.1);

let stack: Awaited<ReturnType<typeof startLocalStack>>;
try {
  const ms = (name: string): number | undefined => {
    const text = process.env[name];
    if (text === undefined || text === '') return undefined;
    if (!/^[1-9][0-9]*$/.test(text)) throw new Error(`${name} must be a whole number of milliseconds, not ${JSON.stringify(text)}`);
    return Number(text);
  };
  const timing = {
    sweepGraceMs: ms('WAPK_SWEEP_GRACE_MS'),
    sweepIntervalMs: ms('WAPK_SWEEP_INTERVAL_MS'),
    senderTimeoutMs: ms('WAPK_SENDER_TIMEOUT_MS'),
    mockLatencyMs: ms('WAPK_MOCK_LATENCY_MS'),
  };
  const defined = Object.fromEntries(Object.entries(timing).filter(([, value]) => value !== undefined));
  const mockRequestLog = process.env.WAPK_MOCK_LOG ? resolve(process.env.WAPK_MOCK_LOG) : undefined;
  const log = (line: string) => console.error(`[local] ${line}`);
  stack = await startLocalStack({ home, ports, failureRate, ...defined, ...(mockRequestLog ? { mockRequestLog } : {}), log });
} catch (error) {
  console.error(`npm start: ${(error as Error).message}`);
  process.exit(error instanceof PortTakenError ? 2 : 1);
}

console.log(`config: ${stack.configFile} (local API key: ${stack.apiKey})`);
console.log(`ready: API ${stack.apiUrl}`);
console.log(`  webhooks  ${stack.webhookBase}/{provider}/{account}`);
for (const provider of PROVIDERS) console.log(`  mock      ${provider.padEnd(9)} ${stack.mocks[provider]}`);
console.log(`  dynamodb  ${stack.dynamoEndpoint} (data in ${home}/dynamo)`);
console.log(`  sqs       ${stack.sqsEndpoint}`);
console.log('Status callbacks are SIMULATED by the local provider mocks. Ctrl-C stops everything.');

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log('stopping…');
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
