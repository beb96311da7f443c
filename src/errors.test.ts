/**
 * The error family: every error we throw has a kind, its fields and its cause, and only visible
 * ones say their message to a caller or user. And no bare `throw new Error(` comes back.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ApiError, CliError, describeError, UsageError } from './cli/errors.ts';
import { UnreachableError } from './cli/api-client.ts';
import { ConfigError as ConfigErrorOfPipeline } from './config/pipeline.ts';
import {
  ConfigError,
  EnvironmentError,
  ERROR_KINDS,
  errorLogFields,
  GENERIC_MESSAGE,
  InternalError,
  isWapkError,
  LocalStackError,
  toWapkError,
  UnavailableError,
  userMessage,
  WapkError,
} from './errors.ts';
import { HomeInUseError } from './local/home.ts';
import { PortTakenError } from './local/ports.ts';
import { ProviderError } from './providers/errors.ts';
import { PushFailedError } from './push/push.ts';
import { MalformedWebhookError } from './webhooks/kit.ts';

describe('the error family', () => {
  it('gives each member its kind, its name and Error’s own behaviour', () => {
    const members: Array<[WapkError, string, string]> = [
      [new ConfigError('accounts.0.id: required'), 'config', 'ConfigError'],
      [new EnvironmentError([{ variable: 'TABLE_NAME', rule: 'is not set' }]), 'config', 'EnvironmentError'],
      [new ProviderError({ provider: 'kaleyra', retryClass: 'backoff', reason: 'rate limit', code: 'E429' }), 'provider', 'ProviderError'],
      [new MalformedWebhookError('gupshup', [{ field: 'payload.type', rule: 'required' }]), 'malformed_webhook', 'MalformedWebhookError'],
      [new PushFailedError('01J.sent', 'the caller answered 500'), 'push_failed', 'PushFailedError'],
      [new UnavailableError('queue', 'the delayed copy could not be enqueued'), 'unavailable', 'UnavailableError'],
      [new InternalError('gupshup: deleted carries no status'), 'internal', 'InternalError'],
      [new CliError('cannot read x.csv'), 'cli', 'CliError'],
      [new UsageError('send needs --account'), 'usage', 'UsageError'],
      [new ApiError(404, 'not_found', 'no message X'), 'api', 'ApiError'],
      [new UnreachableError('cannot reach the API'), 'unreachable', 'UnreachableError'],
      [new LocalStackError('the local SQS did not create send'), 'local_stack', 'LocalStackError'],
      [new HomeInUseError({ dir: '/h', lockFile: '/h/lock' } as never, 42), 'home_in_use', 'HomeInUseError'],
      [new PortTakenError('port 4000 is taken'), 'port_taken', 'PortTakenError'],
    ];
    for (const [error, kind, name] of members) {
      expect(error, name).toBeInstanceOf(WapkError);
      expect(error, name).toBeInstanceOf(Error);
      expect(error.kind, name).toBe(kind);
      expect(error.name, name).toBe(name);
      expect(String(error), name).toBe(`${name}: ${error.message}`);
      expect(error.stack, name).toContain(name);
      expect(isWapkError(error, error.kind)).toBe(true);
    }
    // Every kind has its member, and the list has no kind nobody throws (but the store's cursor, added with the store split).
    expect(new Set(members.map(([error]) => error.kind))).toEqual(new Set(ERROR_KINDS.filter((kind) => kind !== 'invalid_cursor')));
  });

  it('keeps the fields the members had before the family (the provider’s code stays the provider’s)', () => {
    const details = { provider: 'kaleyra', retryClass: 'pause_sender', code: 'E110', status: 402, pauseScope: 'account' } as const;
    const refused = new ProviderError({ ...details, reason: 'low balance' });
    expect(refused).toMatchObject({ ...details, kind: 'provider' });
    expect(refused.toJSON()).toEqual({ class: 'pause_sender', status: 402, code: 'E110', reason: 'low balance' });
    const refusedByApi = new ApiError(400, 'invalid_request', 'bad', [{ field: 'to', rule: 'E.164' }]);
    expect(refusedByApi).toMatchObject({ status: 400, code: 'invalid_request', exitCode: 1 });
    expect(new UsageError('wrong', 'wapk send …')).toMatchObject({ exitCode: 2, details: ['usage: wapk send …'] });
    expect(new MalformedWebhookError('loopwave', [{ field: 'a', rule: 'b' }]).issues).toEqual([{ field: 'a', rule: 'b' }]);
    const push = new PushFailedError('01J.read', 'the caller answered 503');
    expect(push).toMatchObject({ webhookId: '01J.read', reason: 'the caller answered 503' });
    expect(new UnavailableError('store', 'no record').service).toBe('store');
    // The configuration's error is the family's: one class, whichever module it is imported from.
    expect(ConfigErrorOfPipeline).toBe(ConfigError);
  });

  it('carries the cause it wraps (ES2022), and none when there is none', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(new PushFailedError('01J.sent', 'the caller could not be reached (Error)', { cause: reset }).cause).toBe(reset);
    const refused = new ProviderError({ provider: 'livetok', retryClass: 'backoff', reason: 'could not connect', cause: reset });
    expect(refused.cause).toBe(reset);
    expect(new CliError('SQS receive failed', { cause: reset }).cause).toBe(reset);
    expect(new LocalStackError('DynamoDB failed to start', { cause: reset }).cause).toBe(reset);
    const bare = new InternalError('no cause');
    expect('cause' in bare).toBe(false);
  });

  it('says a visible error’s message to the caller and a generic one for an internal error', () => {
    const visible = new ConfigError('TABLE_NAME: must be set');
    const internal = new UnavailableError('queue', 'SQS refused 01J…: throttled');
    expect([visible.visible, internal.visible]).toEqual([true, false]);
    expect(visible.userMessage).toBe('TABLE_NAME: must be set');
    expect(internal.userMessage).toBe(GENERIC_MESSAGE);
    expect(userMessage(visible)).toBe('TABLE_NAME: must be set');
    expect(userMessage(internal)).toBe(GENERIC_MESSAGE);
    // Anything outside the family is internal.
    expect(userMessage(new TypeError('x is undefined'))).toBe(GENERIC_MESSAGE);
    expect(userMessage('a string')).toBe(GENERIC_MESSAGE);
  });

  it('turns anything thrown into a member (an internal error carrying it), and leaves members as they are', () => {
    const member = new ConfigError('x');
    expect(toWapkError(member)).toBe(member);
    const thrown = new TypeError('cannot read properties of undefined');
    const wrapped = toWapkError(thrown);
    expect(wrapped).toBeInstanceOf(InternalError);
    expect(wrapped).toMatchObject({ kind: 'internal', visible: false, message: 'cannot read properties of undefined', cause: thrown });
    expect(toWapkError(42, 'the handler threw a number')).toMatchObject({ message: 'the handler threw a number', cause: 42 });
  });

  it('logs an error by kind, message and causes, without a stack', () => {
    const root = new Error('ThrottlingException: Rate exceeded');
    const error = new UnavailableError('queue', 'the delayed copy could not be enqueued', { cause: root });
    expect(errorLogFields(error)).toEqual({
      error: 'the delayed copy could not be enqueued',
      errorKind: 'unavailable',
      causes: ['Error: ThrottlingException: Rate exceeded'],
    });
    expect(errorLogFields(new Error('boom'))).toEqual({ error: 'boom', errorKind: 'unknown' });
    expect(JSON.stringify(errorLogFields(error))).not.toContain('at ');
  });
});

describe('the CLI tells only visible errors', () => {
  it('says a visible error’s message, and only that an internal one happened (what, with WAPK_DEBUG=1)', () => {
    const usage = new UsageError('send needs --account', 'wapk send …');
    expect(describeError(usage)).toEqual({ lines: ['wapk: send needs --account', 'usage: wapk send …'], exitCode: 2 });
    const config = new ConfigError('.local/config.json (config) is not valid');
    expect(describeError(config)).toEqual({ lines: ['wapk: .local/config.json (config) is not valid'], exitCode: 1 });
    const internal = new InternalError('the table answered nonsense', { cause: new TypeError('x is undefined') });
    const generic = { lines: [`wapk: ${GENERIC_MESSAGE} (set WAPK_DEBUG=1 to see it)`], exitCode: 1 };
    expect(describeError(internal)).toEqual(generic);
    expect(describeError(new RangeError('Invalid time value'))).toEqual(generic);
    expect(describeError(internal, { debug: true })).toEqual({
      lines: [`wapk: ${GENERIC_MESSAGE}: InternalError: the table answered nonsense`, '  caused by TypeError: x is undefined'],
      exitCode: 1,
    });
  });
});

describe('the source', () => {
  const SRC = fileURLToPath(new URL('.', import.meta.url));
  const isSource = (name: string) => name.endsWith('.ts') && !name.endsWith('.test.ts');
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? files(join(dir, entry.name)) : isSource(entry.name) ? [join(dir, entry.name)] : [],
    );
  const sources = files(SRC).map((path) => ({ path: relative(SRC, path), text: readFileSync(path, 'utf8') }));

  it('has no bare Error thrown or created: every error is a member of the family (src/errors.ts)', () => {
    expect(sources.length).toBeGreaterThan(50);
    const bare = sources.flatMap(({ path, text }) =>
      text.split('\n').flatMap((line, i) => (/\bnew Error\(|\bthrow Error\(/.test(line) ? [`src/${path}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(bare).toEqual([]);
  });

  it('has no error class outside the family: only its base extends Error', () => {
    const direct = sources.flatMap(({ path, text }) =>
      [...text.matchAll(/class (\w+) extends Error\b/g)].map((match) => `src/${path}: ${match[1]}`),
    );
    expect(direct).toEqual(['src/errors.ts: WapkError']);
  });
});
