/**
 * The local table (engine.ts) as the stack uses it: an SDK client whose requests the engine
 * answers in this process — no HTTP, no serialization, no signing: the request's input goes to
 * the engine as the document client marshalled it, its answer comes back as the SDK would have
 * parsed it — and, for everything else (the CLI's diagnostics, the tests, another program), the
 * same tables on a loopback HTTP endpoint speaking DynamoDB's JSON protocol.
 *
 * The client short-circuits right after the document client's marshalling (`DocumentMarshall`,
 * which a low-level command lacks: a no-op of that name stands in for it), so the repositories'
 * code runs unchanged: only what happens after their `send` differs.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  DynamoDBServiceException,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DynamoEngine, JOURNAL } from './engine.ts';
import { DynamoEngineError } from './errors.ts';
import { hasDynaliteData, importDynalite } from './import.ts';

// biome-ignore lint/suspicious/noExplicitAny: outputs in the SDK's shapes.
type Output = Record<string, any>;

const METADATA = { httpStatusCode: 200, attempts: 1, totalRetryDelay: 0 };

/** The engine's error as the SDK would have raised it from DynamoDB's answer. */
function sdkError(error: unknown): unknown {
  const $metadata = { httpStatusCode: 400, attempts: 1, totalRetryDelay: 0 };
  if (error instanceof DynamoEngineError) {
    const { message } = error;
    if (error.type === 'ConditionalCheckFailedException') {
      const found = error.item ? { Item: error.item as Record<string, AttributeValue> } : {};
      return new ConditionalCheckFailedException({ message, $metadata, ...found });
    }
    if (error.type === 'ResourceInUseException') return new ResourceInUseException({ message, $metadata });
    if (error.type === 'ResourceNotFoundException') return new ResourceNotFoundException({ message, $metadata });
    return new DynamoDBServiceException({ name: error.type, $fault: 'client', message, $metadata });
  }
  return error;
}

const items = (list: Output[] | undefined) => list?.map((item) => unmarshall(item));

/** An answer in the document client's terms (what its `DocumentUnmarshall` would have made of it). */
function documentOutput(output: Output): Output {
  const result = { ...output };
  if (output.Item) result.Item = unmarshall(output.Item);
  if (output.Attributes) result.Attributes = unmarshall(output.Attributes);
  if (output.Items) result.Items = items(output.Items);
  if (output.LastEvaluatedKey) result.LastEvaluatedKey = unmarshall(output.LastEvaluatedKey);
  if (output.Responses)
    result.Responses = Object.fromEntries(Object.entries(output.Responses).map(([t, list]) => [t, items(list as Output[])]));
  return result;
}

/** A DynamoDB client answered by `engine` in this process. */
export function engineClient(engine: DynamoEngine): DynamoDBClient {
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  // No log is configured, yet the SDK's logger middleware filters every input and output for it: a fifth of a request's cost here.
  client.middlewareStack.remove('loggerMiddleware');
  // Nor what only an HTTP request needs: the stack is resolved again for every send.
  for (const name of [
    'contentLengthMiddleware',
    'getUserAgentMiddleware',
    'hostHeaderMiddleware',
    'recursionDetectionMiddleware',
    'retryMiddleware',
    'httpSigningMiddleware',
  ]) {
    client.middlewareStack.remove(name);
  }
  const passOn = (next: (args: unknown) => Promise<unknown>) => (args: unknown) => next(args);
  client.middlewareStack.addRelativeTo(passOn as never, {
    name: 'DocumentMarshall',
    relation: 'before',
    toMiddleware: 'serializerMiddleware',
    override: true,
  });
  const answer =
    (_next: unknown, context: { commandName?: string; __aws_sdk_context?: { features?: Record<string, string> } }) =>
    async (args: { input: Output }) => {
      const operation = String(context.commandName).replace(/Command$/, '');
      let output: Output;
      // The document client's marshalled input is fresh, and its answer is unmarshalled into new
      // objects: neither needs a copy. A low-level command's caller keeps its input and may change
      // what it gets: both are copied.
      const document = context.__aws_sdk_context?.features?.DDB_MAPPER !== undefined;
      try {
        output = engine.run(operation, args.input, { owned: document });
      } catch (error) {
        throw sdkError(error);
      }
      output = document ? documentOutput(output) : structuredClone(output);
      return { output: { ...output, $metadata: METADATA }, response: {} };
    };
  client.middlewareStack.addRelativeTo(answer as never, { name: 'localTable', relation: 'after', toMiddleware: 'DocumentMarshall' });
  return client;
}

/** The engine on a loopback HTTP endpoint (DynamoDB's JSON 1.0 protocol). */
export function engineServer(engine: DynamoEngine): Server {
  return createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = (status: number, body: unknown) => {
        const text = JSON.stringify(body);
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text) });
        response.end(text);
      };
      const target = String(request.headers['x-amz-target'] ?? '');
      const operation = target.startsWith('DynamoDB_20120810.') ? target.slice('DynamoDB_20120810.'.length) : '';
      try {
        if (!operation) throw new DynamoEngineError('UnknownOperationException', 'X-Amz-Target must name a DynamoDB_20120810 operation');
        answer(200, engine.run(operation, JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'), { owned: true }));
      } catch (error) {
        const type =
          error instanceof DynamoEngineError ? error.type : error instanceof SyntaxError ? 'ValidationException' : 'InternalServerError';
        const item = error instanceof DynamoEngineError && error.item ? { Item: error.item } : {};
        answer(type === 'InternalServerError' ? 500 : 400, {
          __type: `com.amazonaws.dynamodb.v20120810#${type}`,
          message: (error as Error).message,
          ...item,
        });
      }
    });
  });
}

export interface LocalTables {
  endpoint: string;
  /** Answered in this process. */
  client: DynamoDBClient;
  engine: DynamoEngine;
  close(): Promise<void>;
}

/** The engine (kept in `dir`, or in memory), its in-process client and its HTTP endpoint on `port` (0: any free one). */
export async function startLocalTables(options: { port?: number; dir?: string; log?: (line: string) => void } = {}): Promise<LocalTables> {
  const legacy = options.dir !== undefined && hasDynaliteData(options.dir);
  if (legacy) rmSync(join(options.dir!, JOURNAL), { force: true });
  const engine = new DynamoEngine(options.dir ? { dir: options.dir } : {});
  const server = engineServer(engine);
  try {
    if (legacy) {
      const items = await importDynalite(options.dir!, engine);
      options.log?.(`DynamoDB: ${items} item(s) copied from the earlier dynalite files (kept in ${join(options.dir!, 'dynalite')})`);
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    engine.close();
    throw error;
  }
  const client = engineClient(engine);
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    client,
    engine,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      engine.close();
    },
  };
}
