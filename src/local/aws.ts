/**
 * AWS services on this machine, for the local stack and the integration tests: dynalite for
 * DynamoDB (the tests'; optionally kept on disk) and local-aws-sqs for SQS, each on a loopback port, with SDK
 * clients pointed at them. Nothing here reaches beyond 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import dynalite from 'dynalite';
import { createRequestHandler } from 'local-aws-sqs';
import { LocalStackError } from '../errors.ts';
import { DynamoDBClient, ensureMessagesTable } from '../store/dynamodb/index.ts';

/** Creates the messages table if it does not exist yet (a kept dynalite folder has it). */
export { ensureMessagesTable };

/**
 * The emulators check that a request carries a signature of the right form, never the signature
 * itself (there is no secret to check it with): a fixed one spares each local request SigV4's
 * hashing and HMACs — a fifth of a local DynamoDB request's CPU, client and emulator together.
 * Only the clients made here (for the emulators) use it; the functions' clients in AWS sign.
 */
const unsignedFor = (service: string) => ({
  sign: async <R extends { headers: Record<string, string> }>(request: R): Promise<R> => {
    request.headers.authorization =
      `AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/${service}/aws4_request, ` +
      `SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;
    request.headers['x-amz-date'] = '20260101T000000Z';
    return request;
  },
});

const LOCAL = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
const LOCAL_DYNAMO = { ...LOCAL, signer: unsignedFor('dynamodb') };
const LOCAL_SQS = { ...LOCAL, signer: unsignedFor('sqs') };

export interface LocalService<C> {
  endpoint: string;
  client: C;
  close(): Promise<void>;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections?.();
  });
}

/** A listening emulator and an SDK client pointed at it; closing closes both. */
function localService<C extends { destroy(): void }>(server: Server, client: (endpoint: string) => C): LocalService<C> {
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sdk = client(endpoint);
  return {
    endpoint,
    client: sdk,
    close: async () => {
      sdk.destroy();
      await closeServer(server);
    },
  };
}

/**
 * dynalite on `port` (0: any free one); in memory, or in LevelDB files under `path`: for the
 * integration tests and the storage contract (the local stack has its own table, dynamo/).
 */
export async function startDynamo(options: { port?: number; path?: string } = {}): Promise<LocalService<DynamoDBClient>> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path ? { path: options.path } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  return localService(server, (endpoint) => new DynamoDBClient({ ...LOCAL_DYNAMO, endpoint }));
}

/**
 * local-aws-sqs on `port` (0: any free one). Its own `createSqsServer` never reports a listen
 * failure (a taken port is an uncaught 'error'), so the server is made here around its handler.
 */
export async function startSqs(options: { port?: number } = {}): Promise<LocalService<SQSClient>> {
  const port = options.port ?? 0;
  const { service, requestHandler } = createRequestHandler({ port, hostname: '127.0.0.1', emulateQueueCreationLifecycle: false });
  const server = createServer((request, response) => void requestHandler(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Queue URLs carry the port: the one actually taken.
  service.PORT = (server.address() as AddressInfo).port;
  return localService(server, (endpoint) => {
    const client = new SQSClient({ ...LOCAL_SQS, endpoint });
    // No log is configured, yet the SDK's logger middleware filters every input and output for it.
    client.middlewareStack.remove('loggerMiddleware');
    return client;
  });
}

/** Creates a queue (and returns its URL); with `deadLetterArn`, redrives there after `maxReceiveCount`. */
export async function createQueue(
  client: SQSClient,
  name: string,
  options: { deadLetterArn?: string; maxReceiveCount?: number; visibilityTimeoutS?: number } = {},
): Promise<string> {
  const attributes: Record<string, string> = {};
  if (options.visibilityTimeoutS !== undefined) attributes.VisibilityTimeout = String(options.visibilityTimeoutS);
  if (options.deadLetterArn)
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: options.deadLetterArn,
      maxReceiveCount: options.maxReceiveCount ?? 5,
    });
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new LocalStackError(`the local SQS did not create ${name}`);
  return QueueUrl;
}
