/**
 * The whole pipeline on one machine, with the same handler code that runs in Lambda — two sides,
 * each in its own thread so that they start (and run) on two cores at once:
 * - the providers' side (provider-side.ts, in a worker): a Prism mock per provider, answering the
 *   scenario numbers on purpose (scenarios.ts), and the simulator of each provider's callbacks;
 * - our side (local-pipeline.ts): the local DynamoDB table (in process, journalled to disk:
 *   dynamo/), local-aws-sqs for the queues, the accept/status/webhook handlers behind one HTTP server, the
 *   sender and push handlers driven by the local event source mapping, and the scheduled re-enqueue.
 *
 * It lives in one home (home.ts), taken with a lock so that a second stack on it is refused.
 * Configuration comes from `<home>/config.json`, created with random keys and secrets on first
 * run (git-ignored). Every account talks to the local mock of its provider, whatever baseUrl the
 * file says. This module loads nothing heavy itself: the providers' thread is under way before
 * our side's modules are compiled.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hashApiKey } from '../api/auth.ts';
import { parseConfigDocument, requireAccountSecrets } from '../config/pipeline.ts';
import { DEV_KITS } from '../providers/dev.ts';
import { providerModule } from '../providers/index.ts';
import { PROVIDERS, type ProviderName } from '../providers/names.ts';
import { homeAt, lockHome } from './home.ts';
import { DEFAULT_PORTS, type LocalPorts } from './ports.ts';
import type { LocalPipeline } from './local-pipeline.ts';
import type { Outage } from './outage.ts';
import { startProviderThread, type ProviderThread } from './provider-thread.ts';

export { DEFAULT_PORTS, EPHEMERAL_PORTS, PortTakenError, type LocalPorts } from './ports.ts';

export interface LocalStackOptions {
  /** Where the config file, the DynamoDB data and the state file live (src/local/home.ts). */
  home: string;
  ports?: LocalPorts;
  /** Share of simulated messages that fail instead of being delivered (scenario numbers excepted). @default 0.1 */
  failureRate?: number;
  /** How long the timeout scenario's mock holds a request before dropping it. @default 40_000 */
  scenarioHoldMs?: number;
  log?: (line: string) => void;
  /** A part of the stack failed after the start (the providers' thread ended): the stack is no longer whole. */
  onFailure?: (error: Error) => void;
  /** How long a message on the queue may wait unclaimed before the sweeper enqueues it again. @default 2 min */
  sweepGraceMs?: number;
  /** How often the sweeper runs. @default 1 min (as deployed) */
  sweepIntervalMs?: number;
  /** The sender's invocation timeout; its claims expire after twice this, each call after a third (≤ 10 s). @default 30 s */
  senderTimeoutMs?: number;
  /**
   * A file the provider mocks append one JSON line to per answer: provider, method, path, status
   * and a SHA-256 of the request body (no phone number) — what reached the "provider", across restarts.
   */
  mockRequestLog?: string;
  /** How long the provider mocks take to answer. @default 0 */
  mockLatencyMs?: number;
  /** A provider whose mock refuses every send for a while, from the start (outage.ts, `WAPK_OUTAGE`). */
  outage?: Outage;
  /** The local sender's invocations in flight. @default 12 (local-pipeline.ts `LOCAL_SENDER_CONCURRENCY`) */
  senderConcurrency?: number;
  /** How far ahead the local sender reserves its slots, ms. @default 150 (local-pipeline.ts `LOCAL_SLOT_LEAD_MS`) */
  slotLeadMs?: number;
}

/** The running stack: where everything listens (also written to `state.json`), its key, and how to stop it. */
export type LocalStack = LocalPipeline['state'] & {
  apiKey: string;
  configFile: string;
  stateFile: string;
  stop(): Promise<void>;
};

export interface LocalFile {
  apiKey: string;
  config: unknown;
  secrets: unknown;
}

/** Secrets as the local config holds them. */
interface LocalSecrets {
  credentials?: Record<string, unknown>;
  webhookSecrets?: Record<string, unknown>;
}

const token = () => randomBytes(24).toString('base64url');

/**
 * The local account of `provider` (`local-<name>`, from its dev kit: src/providers/<name>/dev/),
 * a new credential of the form the provider issues and, if it calls back, a new webhook secret.
 */
function localAccount(provider: ProviderName) {
  const { local, simulator } = DEV_KITS[provider];
  const id = `local-${provider}`;
  return {
    id,
    account: { id, provider, ...local.account },
    credential: local.credential(token()),
    webhookSecret: simulator?.newWebhookSecret(),
  };
}

/**
 * The local config: one account per provider (each provider's dev kit says its fields), random
 * keys; written once, then read. A provider added since the file was written (one with no account
 * in it) gets its `local-<name>` account, credential and webhook secret added to the file, and a
 * line in the log; nothing already there is changed.
 */
export function ensureLocalConfig(file: string, log: (line: string) => void = () => {}): LocalFile {
  if (existsSync(file)) return completeLocalConfig(file, log);
  const apiKey = `wapk_local_${randomBytes(18).toString('base64url')}`;
  const accounts = PROVIDERS.map(localAccount);
  const local: LocalFile = {
    apiKey,
    config: {
      accounts: accounts.map((a) => a.account),
      apiKeys: [{ id: 'local', sha256: hashApiKey(apiKey), accounts: '*' }],
    },
    secrets: {
      recipientHashKey: randomBytes(32).toString('hex'),
      payloadKey: randomBytes(32).toString('base64'),
      credentials: Object.fromEntries(accounts.map((a) => [a.id, a.credential])),
      webhookSecrets: Object.fromEntries(accounts.flatMap((a) => (a.webhookSecret ? [[a.id, [a.webhookSecret]]] : []))),
    },
  };
  writeLocalConfig(file, local);
  return local;
}

function writeLocalConfig(file: string, local: LocalFile): void {
  writeFileSync(file, `${JSON.stringify(local, null, 2)}\n`);
  chmodSync(file, 0o600);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * An existing local config, with a `local-<name>` account added for every provider that has none
 * in it. A file whose shape is not the expected one is returned as it is: the config check that
 * follows names what is wrong with it.
 */
function completeLocalConfig(file: string, log: (line: string) => void): LocalFile {
  const local = JSON.parse(readFileSync(file, 'utf8')) as LocalFile;
  const config = (local as { config?: unknown }).config;
  const secrets = (local as { secrets?: unknown }).secrets;
  if (!isRecord(local) || !isRecord(config) || !Array.isArray(config.accounts) || !isRecord(secrets)) return local;
  const accounts = config.accounts as unknown[];
  const has = (key: 'id' | 'provider', value: string) => accounts.some((a) => isRecord(a) && a[key] === value);
  const without = PROVIDERS.filter((provider) => !has('provider', provider));
  for (const provider of without.filter((p) => has('id', `local-${p}`))) {
    const title = providerModule(provider).title;
    log(`config: ${title} has no account in ${file}, and the id local-${provider} is another provider's: add one by hand`);
  }
  const missing = without.filter((provider) => !has('id', `local-${provider}`));
  if (missing.length === 0) return local;
  const held = secrets as LocalSecrets;
  const credentials = isRecord(held.credentials) ? held.credentials : {};
  const webhookSecrets = isRecord(held.webhookSecrets) ? held.webhookSecrets : {};
  held.credentials = credentials;
  held.webhookSecrets = webhookSecrets;
  for (const provider of missing) {
    const added = localAccount(provider);
    accounts.push(added.account);
    // An entry the file already holds for that id stays as it is.
    if (!Object.hasOwn(credentials, added.id)) credentials[added.id] = added.credential;
    if (added.webhookSecret && !Object.hasOwn(webhookSecrets, added.id)) webhookSecrets[added.id] = [added.webhookSecret];
  }
  writeLocalConfig(file, local);
  const everyAccount = Array.isArray(config.apiKeys) && config.apiKeys.some((key) => isRecord(key) && key.accounts === '*');
  const keys = everyAccount ? '' : ' (add it to an API key\'s "accounts" to send with it)';
  for (const provider of missing) {
    log(`config: added the account local-${provider} for ${providerModule(provider).title}, which had none in ${file}${keys}`);
  }
  return local;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const ports = options.ports ?? DEFAULT_PORTS;
  const log = options.log ?? (() => {});
  const home = homeAt(options.home);
  mkdirSync(home.dir, { recursive: true });
  // One stack per home: a second one would find the DynamoDB files locked and crash half-way.
  const unlock = lockHome(home);
  let providers: ProviderThread | undefined;
  let pipeline: LocalPipeline | undefined;
  const stop = async () => {
    // The providers first: a request they hold (the timeout scenario) ends, and with it the
    // sender's invocation that our side's stop waits for.
    await providers?.stop().catch(() => {});
    await pipeline?.stop().catch(() => {});
    rmSync(home.stateFile, { force: true });
    unlock();
  };
  try {
    const local = ensureLocalConfig(home.configFile, log);
    // Checked before anything starts: an account without its credential or webhook secret is named here.
    const parsed = parseConfigDocument({ config: local.config, secrets: local.secrets }, home.configFile);
    requireAccountSecrets(parsed.config, parsed.secrets, home.configFile);
    const onFailure = options.onFailure ? { onFailure: options.onFailure } : {};
    const mockTiming = {
      ...(options.mockLatencyMs ? { latencyMs: options.mockLatencyMs } : {}),
      ...(options.mockRequestLog ? { requestLog: options.mockRequestLog } : {}),
      ...(options.outage ? { outage: options.outage } : {}),
    };
    providers = startProviderThread({ ports: ports.mocks, holdMs: options.scenarioHoldMs ?? 40_000, ...mockTiming, log, ...onFailure });
    const { startLocalPipeline } = await import('./local-pipeline.ts');
    const timing = {
      ...(options.sweepGraceMs !== undefined ? { sweepGraceMs: options.sweepGraceMs } : {}),
      ...(options.sweepIntervalMs !== undefined ? { sweepIntervalMs: options.sweepIntervalMs } : {}),
      ...(options.senderTimeoutMs !== undefined ? { senderTimeoutMs: options.senderTimeoutMs } : {}),
      ...(options.senderConcurrency !== undefined ? { senderConcurrency: options.senderConcurrency } : {}),
      ...(options.slotLeadMs !== undefined ? { slotLeadMs: options.slotLeadMs } : {}),
    };
    pipeline = await startLocalPipeline({
      home,
      ports,
      local,
      providers,
      failureRate: options.failureRate ?? 0.1,
      ...timing,
      log,
    });
    const stack: LocalStack = { ...pipeline.state, apiKey: local.apiKey, configFile: home.configFile, stateFile: home.stateFile, stop };
    const { stop: _stop, apiKey: _key, ...state } = stack;
    writeFileSync(home.stateFile, `${JSON.stringify({ ...state, pid: process.pid, accounts: pipeline.accountsByProvider }, null, 2)}\n`);
    return stack;
  } catch (error) {
    await stop();
    throw error;
  }
}
