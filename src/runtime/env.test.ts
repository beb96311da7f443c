/** The functions' environment: one schema, defaults where a variable may be left out, errors that name the variable and the rule. */
import { describe, expect, it } from 'vitest';
import { ConfigError, isWapkError } from '../errors.ts';
import { EnvironmentError, readFunctionEnvironment } from './env.ts';

const deployed = {
  TABLE_NAME: 'wa-messages',
  QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/wa-send',
  WAPK_CONFIG_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:1:secret:wa-config',
};

/** The error `source` makes the read throw. */
function failure(source: Record<string, string | undefined>): EnvironmentError {
  try {
    readFunctionEnvironment(source);
  } catch (error) {
    if (error instanceof EnvironmentError) return error;
    throw error;
  }
  throw new TypeError('expected the read to fail');
}

describe('readFunctionEnvironment', () => {
  it('reads what the Pulumi program sets, with the defaults for what it leaves out', () => {
    expect(readFunctionEnvironment(deployed)).toEqual({
      tableName: 'wa-messages',
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/wa-send',
      configSource: { secretId: deployed.WAPK_CONFIG_SECRET_ID },
      sweepGraceMs: 120_000,
      claimExpiryMs: 120_000,
      callTimeoutMs: 10_000,
      configMaxAgeMs: 300_000,
    });
  });

  it('reads every variable it knows, and leaves out what is empty', () => {
    const env = readFunctionEnvironment({
      ...deployed,
      WAPK_CONFIG_SECRET_ID: '',
      WAPK_CONFIG_FILE: '.local/config.json',
      PUSH_QUEUE_URL: 'http://127.0.0.1:9324/q/push',
      SWEEP_GRACE_MS: '3000',
      SEND_CLAIM_EXPIRY_MS: '150000',
      SEND_CALL_TIMEOUT_MS: '2500',
      CONFIG_MAX_AGE_S: '0',
      UNRELATED: 'ignored',
    });
    expect(env).toMatchObject({
      configSource: { file: '.local/config.json' },
      pushQueueUrl: 'http://127.0.0.1:9324/q/push',
      sweepGraceMs: 3000,
      claimExpiryMs: 150_000,
      callTimeoutMs: 2500,
      configMaxAgeMs: 0,
    });
    expect(readFunctionEnvironment({ ...deployed, PUSH_QUEUE_URL: '' })).not.toHaveProperty('pushQueueUrl');
    expect(readFunctionEnvironment({ ...deployed, CONFIG_MAX_AGE_S: '3600' }).configMaxAgeMs).toBe(3_600_000);
  });

  it('names the variable and the rule when one is wrong', () => {
    const wrongMs = failure({ ...deployed, SEND_CALL_TIMEOUT_MS: '2.5s' });
    expect(wrongMs.message).toBe('environment variable SEND_CALL_TIMEOUT_MS must be a whole number of milliseconds, not "2.5s"');
    expect(wrongMs.variable).toBe('SEND_CALL_TIMEOUT_MS');
    expect(failure({ ...deployed, CONFIG_MAX_AGE_S: '5m' }).message).toBe(
      'environment variable CONFIG_MAX_AGE_S must be whole seconds from 0 to 3600, got 5m',
    );
    expect(failure({ ...deployed, CONFIG_MAX_AGE_S: '7200' }).variable).toBe('CONFIG_MAX_AGE_S');
    expect(failure({ ...deployed, CONFIG_MAX_AGE_S: '-1' }).variable).toBe('CONFIG_MAX_AGE_S');
    expect(failure({ ...deployed, SWEEP_GRACE_MS: '0' }).message).toBe(
      'environment variable SWEEP_GRACE_MS must be a whole number of milliseconds, not "0"',
    );
    expect(failure({ ...deployed, TABLE_NAME: '' }).message).toBe('environment variable TABLE_NAME is not set');
    expect(failure({ TABLE_NAME: 't', QUEUE_URL: 'q' }).message).toBe(
      'environment variable WAPK_CONFIG_SECRET_ID (deployed) or WAPK_CONFIG_FILE (local) must be set: neither is',
    );
  });

  it('names every wrong variable at once', () => {
    const error = failure({ SEND_CLAIM_EXPIRY_MS: 'soon' });
    const variables = ['TABLE_NAME', 'QUEUE_URL', 'SEND_CLAIM_EXPIRY_MS', 'WAPK_CONFIG_SECRET_ID'];
    expect(error.issues.map((issue) => issue.variable)).toEqual(variables);
    expect(error.message.split('\n')).toEqual([
      'environment variable TABLE_NAME is not set',
      'environment variable QUEUE_URL is not set',
      'environment variable SEND_CLAIM_EXPIRY_MS must be a whole number of milliseconds, not "soon"',
      'environment variable WAPK_CONFIG_SECRET_ID (deployed) or WAPK_CONFIG_FILE (local) must be set: neither is',
    ]);
  });

  it('fails with a configuration error of the family: visible, kind config', () => {
    const error = failure({});
    expect(error).toBeInstanceOf(ConfigError);
    expect(isWapkError(error, 'config')).toBe(true);
    expect(error.visible).toBe(true);
    expect(error.name).toBe('EnvironmentError');
  });
});
