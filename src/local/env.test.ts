/** `npm start`'s environment: one schema, the stack's defaults, errors naming the variable and the rule. */
import { describe, expect, it } from 'vitest';
import { EnvironmentError } from '../errors.ts';
import { readLocalStackEnvironment } from './env.ts';

const messageOf = (source: Record<string, string>) => {
  try {
    readLocalStackEnvironment(source);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvironmentError);
    return (error as EnvironmentError).message;
  }
  throw new TypeError('expected the read to fail');
};

describe('readLocalStackEnvironment', () => {
  it('gives the defaults for what is unset or empty, and reads what is set', () => {
    const defaults = { WAPK_HTTP_PORT: 3000, WAPK_FAILURE_RATE: 0.1, WAPK_SCENARIO_HOLD_S: 40 };
    expect(readLocalStackEnvironment({ WAPK_MOCK_LOG: '', WAPK_PORTS: '' })).toEqual(defaults);
    expect(
      readLocalStackEnvironment({
        WAPK_PORTS: 'ephemeral',
        WAPK_HTTP_PORT: '8080',
        WAPK_FAILURE_RATE: '0',
        WAPK_SCENARIO_HOLD_S: '2',
        WAPK_SWEEP_GRACE_MS: '3000',
        WAPK_SWEEP_INTERVAL_MS: '500',
        WAPK_SENDER_TIMEOUT_MS: '10000',
        WAPK_MOCK_LATENCY_MS: '5',
        WAPK_MOCK_LOG: 'mock.log',
        WAPK_SENDER_CONCURRENCY: '8',
        WAPK_SLOT_LEAD_MS: '0',
      }),
    ).toEqual({
      WAPK_PORTS: 'ephemeral',
      WAPK_HTTP_PORT: 8080,
      WAPK_FAILURE_RATE: 0,
      WAPK_SCENARIO_HOLD_S: 2,
      WAPK_SWEEP_GRACE_MS: 3000,
      WAPK_SWEEP_INTERVAL_MS: 500,
      WAPK_SENDER_TIMEOUT_MS: 10_000,
      WAPK_MOCK_LATENCY_MS: 5,
      WAPK_MOCK_LOG: 'mock.log',
      WAPK_SENDER_CONCURRENCY: 8,
      WAPK_SLOT_LEAD_MS: 0,
    });
  });

  it('names each wrong variable and its rule', () => {
    expect(messageOf({ WAPK_PORTS: 'random' })).toBe('environment variable WAPK_PORTS must be "ephemeral" or unset, not "random"');
    expect(messageOf({ WAPK_HTTP_PORT: '70000' })).toBe(
      'environment variable WAPK_HTTP_PORT must be a whole number from 0 to 65535, not "70000"',
    );
    expect(messageOf({ WAPK_FAILURE_RATE: '10%' })).toBe('environment variable WAPK_FAILURE_RATE must be a number from 0 to 1, not "10%"');
    expect(messageOf({ WAPK_SENDER_CONCURRENCY: '0' })).toBe(
      'environment variable WAPK_SENDER_CONCURRENCY must be a whole number from 1 to 64, not "0"',
    );
    expect(messageOf({ WAPK_SLOT_LEAD_MS: '1.5' })).toBe(
      'environment variable WAPK_SLOT_LEAD_MS must be a whole number from 0 to 10000, not "1.5"',
    );
    expect(messageOf({ WAPK_SCENARIO_HOLD_S: ' ', WAPK_SWEEP_GRACE_MS: '3s' }).split('\n')).toEqual([
      'environment variable WAPK_SCENARIO_HOLD_S must be a number from 0 to 3600, not " "',
      'environment variable WAPK_SWEEP_GRACE_MS must be a whole number of milliseconds, not "3s"',
    ]);
  });
});
