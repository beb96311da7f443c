/**
 * `local_e2e_messages_per_s`: messages per second through the stack `npm start` runs — the same
 * entry point (scripts/start.ts) in its own process, on a fresh home, with its own configuration:
 * the local accounts at their providers' documented limits (Kaleyra, Gupshup and LiveChat numbers at
 * Meta's 80/s each, so 240/s between the three, 235/s within the pacer's 98%), the default sender
 * settings of the local event source mapping, the simulated callbacks (10% simulated failures, as
 * `npm start`). This process plays the user: it posts the messages as `wapk send --csv` does (100 per
 * request, 4 requests in flight) and counts the sends the provider mocks answered, from the mocks'
 * request log (`WAPK_MOCK_LOG`: one line per answer, what the crash-restart test reads too).
 *
 * The figure is messages over the time from the first accept request to the mocks' answer to the
 * last send (the log is looked at every 20 ms). The callbacks that follow each send are not waited
 * for: they go on while the next sends go out, as they would in a long run.
 *
 * `BENCH_LOCAL_NODE_ARGS` (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) is passed to the stack's
 * process, for profiling.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEV_KITS } from '../src/providers/dev.ts';
import type { ProviderName } from '../src/providers/names.ts';

export interface LocalE2eRun {
  messages: number;
  /** First accept request to the mocks' answer to the last send, seconds. */
  sendSeconds: number;
  /** Accepting all of them (every request answered 202), seconds. */
  acceptSeconds: number;
  /** Sends the mocks answered: one per message, or the run failed. */
  providerSends: number;
  /** CPU the stack's process spent per message, ms, by thread (Linux: /proc), when the last send was answered. */
  cpuMsPerMessage: Record<string, number>;
  /** The machine's load average (1 min) when the run started and when it ended: the figure is worth what the machine's quiet was. */
  loadAverage: [number, number];
}

/** The accounts the run sends through, and what each is sent (a template its local account takes). */
const ROUTE = [
  { provider: 'kaleyra', content: { kind: 'template', name: 'lto_template', language: 'en_US', body: ['Pablo', 'CARIBE25'] } },
  { provider: 'gupshup', content: { kind: 'template', name: 'order_update', language: 'en', body: ['A-17', 'shipped'] } },
  { provider: 'livechat', content: { kind: 'template', name: 'appointment_reminder', language: 'en_US', body: ['Dr. Smith', '2 PM'] } },
] as const;

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const PER_REQUEST = 100;
const REQUESTS_IN_FLIGHT = 4;

export async function runLocalE2e(options: { messages: number; log?: (line: string) => void }): Promise<LocalE2eRun> {
  const log = options.log ?? (() => {});
  const home = mkdtempSync(join(tmpdir(), 'wapk-bench-local-'));
  const mockLog = join(home, 'mock-requests.jsonl');
  const nodeArgs = (process.env.BENCH_LOCAL_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, 'scripts/start.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, WAPK_HOME: home, WAPK_PORTS: 'ephemeral', WAPK_MOCK_LOG: mockLog },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const apiUrl = await new Promise<string>((resolve, reject) => {
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /ready: API (\S+)/.exec(output);
        if (match) resolve(match[1]!);
      };
      child.stdout!.on('data', read);
      child.stderr!.on('data', read);
      void exited.then((code) => reject(new Error(`npm start exited (${code}) before it was ready:\n${output}`)));
    });
    const config = JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')) as { apiKey: string };
    const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as { accounts: Record<string, string> };

    const requests = Array.from({ length: options.messages }, (_, i) => {
      const { provider, content } = ROUTE[i % ROUTE.length]!;
      return { provider, account: state.accounts[provider], recipient: `+1415${String(5_000_000 + i).padStart(7, '0')}`, content };
    });
    const bodies: unknown[] = [];
    for (let i = 0; i < requests.length; i += PER_REQUEST) bodies.push({ messages: requests.slice(i, i + PER_REQUEST) });
    let next = 0;
    const client = async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        const response = await fetch(`${apiUrl}/v1/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${config.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        if (response.status !== 202) throw new Error(`accept answered ${response.status}: ${await response.text()}`);
        await response.arrayBuffer();
      }
    };

    /** Send requests the mocks answered so far: the log's new whole lines since the last look. */
    let count = 0;
    let offset = 0;
    let partial = '';
    const sends = () => {
      if (!existsSync(mockLog)) return 0;
      const fd = openSync(mockLog, 'r');
      try {
        const buffer = Buffer.alloc(1 << 20);
        for (let read = readSync(fd, buffer, 0, buffer.length, offset); read > 0; read = readSync(fd, buffer, 0, buffer.length, offset)) {
          offset += read;
          const lines = (partial + buffer.toString('utf8', 0, read)).split('\n');
          partial = lines.pop()!;
          for (const line of lines) {
            if (!line) continue;
            const call = JSON.parse(line) as { provider: ProviderName; method: string; path: string };
            if (call.method === 'post' && DEV_KITS[call.provider].mock.send.path.test(call.path)) count++;
          }
        }
      } finally {
        closeSync(fd);
      }
      return count;
    };

    const startLoad = loadavg()[0]!;
    const started = Date.now();
    await Promise.all(Array.from({ length: REQUESTS_IN_FLIGHT }, client));
    const accepted = Date.now();
    log(`local e2e: ${options.messages} accepted in ${((accepted - started) / 1000).toFixed(1)} s`);
    // No send for this long: the stack is stuck (a timing figure from a stuck run would mislead).
    const stallMs = 120_000;
    let seen = 0;
    let progressAt = Date.now();
    sends();
    while (count < options.messages) {
      if (count > seen) {
        seen = count;
        progressAt = Date.now();
      } else if (Date.now() - progressAt > stallMs) {
        throw new Error(`local e2e: ${count} of ${options.messages} sent, none for ${stallMs / 1000} s:\n${output.slice(-4000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      sends();
    }
    const done = Date.now();
    const cpuMsPerMessage = Object.fromEntries(
      Object.entries(threadCpu(child.pid!))
        .filter(([, ms]) => ms > 0)
        .map(([name, ms]) => [name, Math.round((ms / options.messages) * 100) / 100]),
    );
    return {
      cpuMsPerMessage,
      loadAverage: [startLoad, loadavg()[0]!],
      messages: options.messages,
      sendSeconds: (done - started) / 1000,
      acceptSeconds: (accepted - started) / 1000,
      providerSends: count,
    };
  } finally {
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
    rmSync(home, { recursive: true, force: true });
  }
}

/** CPU time (user + system, ms) of each thread of process `pid` so far, summed by thread name (Linux /proc; empty elsewhere). */
export function threadCpu(pid: number): Record<string, number> {
  const byName: Record<string, number> = {};
  const tick = 1000 / 100; // USER_HZ
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byName[name] = (byName[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) * tick;
    }
  } catch {
    return {};
  }
  return byName;
}

// `node bench/local-e2e.ts [messages]`: one run, printed.
if (import.meta.url === `file://${process.argv[1]}`) {
  const messages = Number(process.argv[2] ?? 3000);
  const run = await runLocalE2e({ messages, log: (line) => process.stderr.write(`[bench] ${line}\n`) });
  console.log(JSON.stringify({ ...run, messagesPerSecond: run.messages / run.sendSeconds }, null, 2));
}
