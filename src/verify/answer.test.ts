/**
 * Checking one answer against an operation of a spec (./answer.ts): the status, the headers, the
 * media type, the body's schema (a violation named by its JSON pointer and keyword) and the fields
 * the schema does not know (additive, where the schema leaves objects open).
 */
import { describe, expect, it } from 'vitest';
import { AnswerChecker, type Answer } from './answer.ts';
import type { SpecOperation } from './spec.ts';

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  headers: new Headers({ 'content-type': 'application/json', ...headers }),
  body: JSON.stringify(body),
});

const Sent = {
  type: 'object',
  required: ['code', 'data'],
  properties: {
    code: { type: 'string', const: 'WA202', examples: ['WA202'] },
    data: { type: 'object', required: ['message_id'], properties: { message_id: { type: 'string', minLength: 1 } } },
    error: { type: 'object' },
  },
};
const Failure = {
  type: 'object',
  required: ['code'],
  properties: { code: { type: 'string' }, error: { type: 'object', additionalProperties: { type: 'string' } } },
};

const operation: SpecOperation = {
  operationId: 'send',
  method: 'POST',
  path: '/v2/{sid}/messages',
  security: [],
  requestBodies: {},
  responses: {
    '202': {
      headers: {
        'X-RateLimit-Remaining': { schema: { type: 'integer' } },
        'X-Request-Id': { required: true, schema: { type: 'string' } },
      },
      content: { 'application/json': { schema: Sent } },
    },
    '4XX': { content: { 'application/json': { schema: Failure } } },
    '204': { description: 'nothing' },
    default: { content: { 'application/problem+json': { schema: {} } } },
  },
};

const ok = { 'x-request-id': 'r1' };

describe('an answer checked against its operation', () => {
  const checker = new AnswerChecker();

  it('as documented: no finding', () => {
    expect(checker.check(operation, json(202, { code: 'WA202', data: { message_id: 'A1' }, error: {} }, ok)).findings).toEqual([]);
  });

  it('a missing field: drift at its own path, rule required', () => {
    const { findings } = checker.check(operation, json(202, { code: 'WA202', data: {} }, ok));
    expect(findings).toEqual([
      { kind: 'drift', in: 'body', path: '/data/message_id', rule: 'required', message: "must have required property 'message_id'" },
    ]);
  });

  it('a renamed field: drift where it was, additive where it went', () => {
    const { findings } = checker.check(operation, json(202, { code: 'WA202', data: { messageId: 'A1' } }, ok));
    expect(findings.map(({ kind, path, rule }) => `${kind} ${path} ${rule}`)).toEqual([
      'drift /data/message_id required',
      'additive /data/messageId additive',
    ]);
  });

  it('a wrong type or value: drift with the keyword', () => {
    const { findings } = checker.check(operation, json(202, { code: 'WA200', data: { message_id: 7 } }, ok));
    expect(findings.map(({ path, rule }) => `${path} ${rule}`)).toEqual(['/code const', '/data/message_id type']);
  });

  it('a field the spec does not know: additive, not drift; none under a declared map', () => {
    const { findings } = checker.check(
      operation,
      json(202, { code: 'WA202', data: { message_id: 'A1', queued_at: 1 }, error: { reason: 'x' }, region: 'in' }, ok),
    );
    // `error` is `{type: object}` there: an object whose every field the spec leaves unnamed.
    expect(findings.map(({ kind, path, message }) => `${kind} ${path} ${message}`)).toEqual([
      'additive /data/queued_at queued_at: a field the spec does not know',
      'additive /error/reason reason: a field the spec does not know',
      'additive /region region: a field the spec does not know',
    ]);
    // Here `error` is a map (`additionalProperties: {type: string}`): its keys are expected, and their values checked.
    expect(checker.check(operation, json(400, { code: 'WA400', error: { payload: 'bad' } })).findings).toEqual([]);
    expect(
      checker.check(operation, json(400, { code: 'WA400', error: { payload: 1 } })).findings.map((f) => `${f.path} ${f.rule}`),
    ).toEqual(['/error/payload type']);
  });

  it('an undocumented status: drift naming the documented ones; a range and default cover theirs', () => {
    const { default: _, ...withoutDefault } = operation.responses;
    expect(checker.check({ ...operation, responses: withoutDefault }, json(200, {}, ok)).findings).toEqual([
      {
        kind: 'drift',
        in: 'status',
        path: '',
        rule: 'status',
        message: 'HTTP 200 is not a documented answer of send (documented: 202, 204, 4XX)',
      },
    ]);
    expect(checker.check(operation, json(409, { code: 'E1' })).response?.key).toBe('4XX');
    expect(checker.check(operation, json(409, { code: 1 })).findings.map((f) => `${f.path} ${f.rule}`)).toEqual(['/code type']);
    expect(
      checker.check(operation, { status: 503, headers: new Headers({ 'content-type': 'application/problem+json' }), body: '{}' }).response
        ?.key,
    ).toBe('default');
  });

  it('headers: a required one missing, a typed one of another type; integers read from the text', () => {
    const answer = (headers: Record<string, string>) => json(202, { code: 'WA202', data: { message_id: 'A1' } }, headers);
    expect(checker.check(operation, answer({ 'x-ratelimit-remaining': '17', ...ok })).findings).toEqual([]);
    expect(checker.check(operation, answer({ 'x-ratelimit-remaining': 'many', ...ok })).findings).toEqual([
      { kind: 'drift', in: 'header', path: 'x-ratelimit-remaining', rule: 'type', message: 'X-RateLimit-Remaining must be integer' },
    ]);
    expect(checker.check(operation, answer({})).findings).toEqual([
      { kind: 'drift', in: 'header', path: 'x-request-id', rule: 'required', message: 'the documented header X-Request-Id is missing' },
    ]);
  });

  it('the media type and the body itself: another type, no JSON, no body, a body where none is documented', () => {
    const html = { status: 202, headers: new Headers({ 'content-type': 'text/html; charset=utf-8', ...ok }), body: '<html>' };
    expect(checker.check(operation, html).findings).toEqual([
      {
        kind: 'drift',
        in: 'header',
        path: 'content-type',
        rule: 'media-type',
        message: 'text/html, where the spec documents application/json',
      },
    ]);
    const broken = { status: 202, headers: new Headers({ 'content-type': 'application/json', ...ok }), body: '{"code":' };
    expect(checker.check(operation, broken).findings.map((f) => `${f.in} ${f.rule}`)).toEqual(['body json']);
    const empty = { status: 202, headers: new Headers(ok), body: '' };
    expect(checker.check(operation, empty).findings.map((f) => `${f.in} ${f.rule}`)).toEqual(['body required']);
    expect(checker.check(operation, { status: 204, headers: new Headers(), body: '' }).findings).toEqual([]);
    expect(checker.check(operation, { status: 204, headers: new Headers(), body: 'x' }).findings.map((f) => f.kind)).toEqual(['additive']);
  });

  it('the same finding in many array items: once, at the first, with the count', () => {
    const list: SpecOperation = {
      ...operation,
      responses: {
        '200': {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  data: { type: 'array', items: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } },
                },
              },
            },
          },
        },
      },
    };
    const { findings } = checker.check(list, json(200, { data: [{ id: 1, x: 1 }, { id: 2, x: 2 }, { id: 'ok' }] }));
    expect(findings).toEqual([
      { kind: 'drift', in: 'body', path: '/data/0/id', rule: 'type', message: 'must be string', count: 2 },
      { kind: 'additive', in: 'body', path: '/data/0/x', rule: 'additive', message: 'x: a field the spec does not know', count: 2 },
    ]);
  });

  it('oneOf and allOf: the fields of the matching branch and of every allOf branch are known; a value matching none is one drift', () => {
    const schema = {
      allOf: [{ type: 'object', properties: { kind: { type: 'string' } } }],
      oneOf: [
        { type: 'object', required: ['image'], properties: { image: { type: 'object', properties: { id: { type: 'string' } } } } },
        { type: 'object', required: ['video'], properties: { video: { type: 'object', properties: { link: { type: 'string' } } } } },
      ],
    };
    const media: SpecOperation = { ...operation, responses: { '200': { content: { 'application/json': { schema } } } } };
    expect(checker.check(media, json(200, { kind: 'image', image: { id: '1' } })).findings).toEqual([]);
    expect(
      checker.check(media, json(200, { kind: 'video', video: { link: 'l', size: 3 } })).findings.map((f) => `${f.kind} ${f.path}`),
    ).toEqual(['additive /video/size']);
    expect(checker.check(media, json(200, { kind: 'audio' })).findings.map((f) => `${f.kind} ${f.path} ${f.rule}`)).toEqual([
      'drift  oneOf',
    ]);
  });
});
