/**
 * The functions' log: every line a JSON object with the same fields (level, message, service,
 * function, timestamp, and the correlation id where known), through Powertools; and the injected
 * logs that tests and the local stack use.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { functionLog, LOG_SERVICE, memoryLog, silentLog, sinkLog, type LogEntry } from './log.ts';

/** Every line written to stdout and stderr while `run` runs, parsed. */
function captured(run: () => void): Array<{ stream: 'stdout' | 'stderr'; line: Record<string, unknown> }> {
  const lines: Array<{ stream: 'stdout' | 'stderr'; line: Record<string, unknown> }> = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    vi.spyOn(process[stream], 'write').mockImplementation((chunk: string | Uint8Array) => {
      for (const text of String(chunk).split('\n').filter(Boolean)) {
        lines.push({ stream, line: JSON.parse(text) as Record<string, unknown> });
      }
      return true;
    });
  }
  try {
    run();
  } finally {
    vi.restoreAllMocks();
  }
  return lines;
}

describe('functionLog (Powertools)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes one JSON line per call, each with level, message, service, function and timestamp', () => {
    const lines = captured(() => {
      const log = functionLog('sender');
      log.info('sent', { status: 'accepted' });
      log.warn('provider refused', { class: 'backoff' });
      log.error('record failed', { error: 'boom' });
    });
    expect(lines.map(({ line }) => [line.level, line.message])).toEqual([
      ['INFO', 'sent'],
      ['WARN', 'provider refused'],
      ['ERROR', 'record failed'],
    ]);
    for (const { line } of lines) {
      expect(line).toMatchObject({ service: LOG_SERVICE, function: 'sender' });
      expect(Number.isNaN(Date.parse(String(line.timestamp)))).toBe(false);
    }
    expect(lines[0]!.line.status).toBe('accepted');
    // The handler-error alarms count `"level":"ERROR"` (infra/components/alarms.ts ERROR_LOG_PATTERN).
    expect(lines.filter(({ line }) => line.level === 'ERROR')).toHaveLength(1);
  });

  it('carries the correlation id and the fields given by `with` on every line after it, the call’s own fields winning', () => {
    const lines = captured(() => {
      const log = functionLog('webhook').with({ correlation_id: 'req-1', provider: 'kaleyra' });
      log.info('webhook applied', { events: 2 });
      log.info('webhook applied', { provider: 'gupshup' });
      functionLog('webhook').info('no correlation here');
    });
    expect(lines.map(({ line }) => [line.correlation_id, line.provider, line.events])).toEqual([
      ['req-1', 'kaleyra', 2],
      ['req-1', 'gupshup', undefined],
      [undefined, undefined, undefined],
    ]);
  });

  it('keeps an embedded-metric block as it is, at the top of the line (CloudWatch reads it there)', () => {
    const metric = {
      Timestamp: 1,
      CloudWatchMetrics: [
        { Namespace: 'whatsapp-provider-kit', Dimensions: [['provider']], Metrics: [{ Name: 'cross_account_callback', Unit: 'Count' }] },
      ],
    };
    const fields = { provider: 'livechat', cross_account_callback: 1, _aws: metric };
    const [written] = captured(() => functionLog('webhook').warn('callback names a message of another account: not applied', fields));
    expect(written!.line).toMatchObject({ level: 'WARN', provider: 'livechat', cross_account_callback: 1, _aws: metric });
  });

  it('is one logger per function', () => {
    expect(functionLog('push')).toBe(functionLog('push'));
    expect(functionLog('push')).not.toBe(functionLog('requeue'));
  });
});

describe('injected logs', () => {
  it('sinkLog hands each line over as one entry, with the fields of `with` beneath the line’s own', () => {
    const entries: LogEntry[] = [];
    const log = sinkLog((entry) => entries.push(entry), { function: 'test' }).with({ correlation_id: '01J' });
    log.warn('stale claim: outcome unknown', { reason: 'expired' });
    log.with({ reason: 'base' }).error('x', { reason: 'own' });
    expect(entries).toEqual([
      { function: 'test', correlation_id: '01J', reason: 'expired', level: 'warn', message: 'stale claim: outcome unknown' },
      { function: 'test', correlation_id: '01J', reason: 'own', level: 'error', message: 'x' },
    ]);
  });

  it('a line’s fields cannot overwrite its level and message', () => {
    const log = memoryLog();
    log.info('real', { level: 'error', message: 'forged' });
    expect(log.entries).toEqual([{ level: 'info', message: 'real' }]);
  });

  it('memoryLog keeps what its children write; silentLog writes nothing', () => {
    const log = memoryLog();
    log.with({ a: 1 }).debug('d');
    log.info('i');
    expect(log.entries.map((entry) => entry.message)).toEqual(['d', 'i']);
    const lines = captured(() => silentLog.with({ a: 1 }).error('nothing'));
    expect(lines).toEqual([]);
  });
});
