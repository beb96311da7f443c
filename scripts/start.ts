/**
 * `npm start`: the whole pipeline on this machine (src/local/stack.ts), until Ctrl-C.
 *
 * Environment: `WAPK_HOME` (default `.local`; src/local/home.ts), `WAPK_PORTS=ephemeral` (any free
 * ports, for tests), `WAPK_HTTP_PORT` (default 3000), `WAPK_FAILURE_RATE` (share of simulated
 * failures, default 0.1), `WAPK_SCENARIO_HOLD_S` (how long the timeout scenario's mock holds a
 * request, default 40; docs/scenarios.md), `WAPK_SWEEP_GRACE_MS` (how long a queued message may
 * wait unclaimed before the sweeper enqueues it again, default 120000), `WAPK_SWEEP_INTERVAL_MS`
 * (default 60000), `WAPK_SENDER_TIMEOUT_MS` (default 30000), `WAPK_MOCK_LOG` (a file the provider
 * mocks append one line per answer to), `WAPK_MOCK_LATENCY_MS` (how long the provider mocks take
 * to answer, default 0), `WAPK_SENDER_CONCURRENCY` (the local sender's invocations in flight,
 * default 4), `WAPK_SLOT_LEAD_MS` (how far ahead it reserves its slots, default 150) and
 * `WAPK_OUTAGE` (`<provider>[:<kind>][:<duration>]`: that provider's mock refuses every send for a
 * while; src/local/outage.ts).
 */
import module from 'node:module';
import { resolve } from 'node:path';

// Most of the start is compiling ~1,700 modules (Prism, the AWS SDK, the generated schemas): keep
// the compiled code between runs (in the OS temp folder).
module.enableCompileCache?.();

const { localHome } = await import('../src/local/home.ts');
const { DEFAULT_PORTS, EPHEMERAL_PORTS, startLocalStack } = await import('../src/local/stack.ts');
const { PROVIDERS } = await import('../src/providers/names.ts');
const { readLocalStackEnvironment } = await import('../src/local/env.ts');

function fail(message: string, code: number): never {
  console.error(`npm start: ${message}`);
  process.exit(code);
}

// The environment, read once (src/local/env.ts): a wrong variable stops the start, named, before anything starts.
let env: ReturnType<typeof readLocalStackEnvironment>;
try {
  env = readLocalStackEnvironment(process.env);
} catch (error) {
  fail((error as Error).message.replaceAll('\n', '; '), 2);
}
const home = localHome(process.env, process.cwd());
const ports = env.WAPK_PORTS === 'ephemeral' ? EPHEMERAL_PORTS : { ...DEFAULT_PORTS, http: env.WAPK_HTTP_PORT };
const failureRate = env.WAPK_FAILURE_RATE;
const scenarioHoldMs = env.WAPK_SCENARIO_HOLD_S * 1000;

let stack: Awaited<ReturnType<typeof startLocalStack>> | undefined;
let stopping = false;
const shutdown = async (code: number) => {
  if (stopping) return;
  stopping = true;
  if (stack) {
    console.log('stopping…');
    await stack.stop();
  }
  process.exit(code);
};
// Anything that escapes (an emulator's callback throwing) is one line, and the stack stops.
const crash = (error: unknown) => {
  console.error(`npm start: ${error instanceof Error ? error.message : String(error)}`);
  void shutdown(1);
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

try {
  const timing = {
    sweepGraceMs: env.WAPK_SWEEP_GRACE_MS,
    sweepIntervalMs: env.WAPK_SWEEP_INTERVAL_MS,
    senderTimeoutMs: env.WAPK_SENDER_TIMEOUT_MS,
    mockLatencyMs: env.WAPK_MOCK_LATENCY_MS,
    senderConcurrency: env.WAPK_SENDER_CONCURRENCY,
    slotLeadMs: env.WAPK_SLOT_LEAD_MS,
  };
  const defined = Object.fromEntries(Object.entries(timing).filter(([, value]) => value !== undefined));
  const mockRequestLog = env.WAPK_MOCK_LOG ? resolve(env.WAPK_MOCK_LOG) : undefined;
  const log = (line: string) => console.error(`[local] ${line}`);
  stack = await startLocalStack({
    home: home.dir,
    ports,
    failureRate,
    scenarioHoldMs,
    ...defined,
    ...(mockRequestLog ? { mockRequestLog } : {}),
    ...(env.WAPK_OUTAGE ? { outage: env.WAPK_OUTAGE } : {}),
    log,
    onFailure: crash,
  });
} catch (error) {
  const name = (error as Error).name;
  fail((error as Error).message, name === 'PortTakenError' || name === 'HomeInUseError' ? 2 : 1);
}

console.log(`config: ${stack.configFile} (local API key: ${stack.apiKey})`);
console.log(`ready: API ${stack.apiUrl}`);
console.log(`  webhooks  ${stack.webhookBase}/{provider}/{account}`);
for (const provider of PROVIDERS) console.log(`  mock      ${provider.padEnd(9)} ${stack.mocks[provider]}`);
console.log(`  dynamodb  ${stack.dynamoEndpoint} (data in ${home.dynamoDir})`);
console.log(`  sqs       ${stack.sqsEndpoint}`);
if (env.WAPK_OUTAGE) {
  const { provider, kind, forMs } = env.WAPK_OUTAGE;
  const until = forMs === undefined ? 'while the stack runs' : `for ${forMs / 1000} s`;
  console.log(`  outage    the ${provider} mock refuses every send (${kind}) ${until} (WAPK_OUTAGE)`);
}
console.log('Status callbacks are SIMULATED by the local provider mocks; scenario numbers (wapk scenarios) produce every outcome.');
console.log('Ctrl-C stops everything.');

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
