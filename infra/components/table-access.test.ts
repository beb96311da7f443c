/**
 * The table access the pipeline grants is derived from declarations of what the code calls
 * (table-access.ts): they must cover every store method, so a new one cannot be called by a
 * function whose role does not allow it without a test saying so.
 */
import { describe, expect, it } from 'vitest';
import { dynamoDBStorage, DynamoDBClient } from '../../src/store/dynamodb/index.ts';
import { INDEX } from '../../src/store/table.ts';
import { awsName } from './names.ts';
import { FUNCTION_CALLS, STORE_CALLS, tableAccess } from './table-access.ts';

const methodsOf = (prototype: object) => Object.getOwnPropertyNames(prototype).filter((name) => name !== 'constructor');

describe('table access derived from the code', () => {
  // Never sends: only the repositories' classes are looked at.
  const storage = dynamoDBStorage({ tableName: 'messages', client: new DynamoDBClient({ region: 'us-east-1' }) });
  const implemented = Object.entries(storage).flatMap(([repository, impl]) =>
    methodsOf(Object.getPrototypeOf(impl)).map((method) => `${repository}.${method}`),
  );

  it('declares the requests of every repository method, and only of methods that exist', () => {
    const declared = new Set(Object.keys(STORE_CALLS).map((call) => call.replace(/\(.*\)$/, '')));
    for (const method of implemented) expect(declared.has(method), `${method} is not in STORE_CALLS`).toBe(true);
    for (const call of declared) expect(implemented, `STORE_CALLS names ${call}, which no repository has`).toContain(call);
  });

  it('queries only indexes the table has', () => {
    const indexes = new Set(Object.values(INDEX).map((index) => index.name));
    for (const calls of Object.values(FUNCTION_CALLS))
      for (const index of tableAccess(calls).indexes) expect(indexes.has(index)).toBe(true);
  });

  it('gives the accept function neither queries nor deletes, and the push function nothing', () => {
    expect(tableAccess(FUNCTION_CALLS.accept)).toEqual({
      actions: ['BatchGetItem', 'BatchWriteItem', 'GetItem', 'PutItem', 'UpdateItem'],
      indexes: [],
    });
    expect(tableAccess(FUNCTION_CALLS.push)).toEqual({ actions: [], indexes: [] });
  });
});

describe('AWS names', () => {
  it('keeps short names, replaces what Lambda refuses, and shortens long ones with a hash, keeping their end', () => {
    expect(awsName(['whatsapp-provider-kit', 'dev', 'wa-accept'])).toBe('whatsapp-provider-kit-dev-wa-accept');
    expect(awsName(['whatsapp-provider-kit', 'acme.prod', 'wa-accept'])).toBe('whatsapp-provider-kit-acme-prod-wa-accept');
    const long = awsName(['whatsapp-provider-kit', 'acme.messaging.production-eu-west-1.blue-green-2026', 'wa-webhook']);
    expect(long).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(long.endsWith('-wa-webhook')).toBe(true);
    expect(awsName(['whatsapp-provider-kit', 'acme.messaging.production-eu-west-1.blue-green-2027', 'wa-webhook'])).not.toBe(long);
  });
});
