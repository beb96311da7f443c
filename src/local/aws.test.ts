/** The local DynamoDB in a thread of its own (aws.ts `startDynamo({ thread: true })`), as the local stack starts it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureMessagesTable, startDynamo } from './aws.ts';
import { listenOrExplain, PortTakenError } from './ports.ts';

const dir = mkdtempSync(join(tmpdir(), 'wapk-dynamo-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the local DynamoDB in its own thread', () => {
  it('keeps what was written on disk: a new thread on the same folder reads it back', async () => {
    const path = join(dir, 'kept');
    const first = await startDynamo({ path, thread: true });
    await ensureMessagesTable(first.client, 'messages');
    const Item = { pk: { S: 'M#1' }, sk: { S: 'M' }, note: { S: 'kept' } };
    await first.client.send(new PutItemCommand({ TableName: 'messages', Item }));
    await first.close();

    const second = await startDynamo({ path, thread: true });
    try {
      const { Item: read } = await second.client.send(new GetItemCommand({ TableName: 'messages', Key: { pk: Item.pk, sk: Item.sk } }));
      expect(read).toEqual(Item);
    } finally {
      await second.close();
    }
    // Closed: nothing listens there any more.
    await expect(fetch(second.endpoint)).rejects.toThrow();
  });

  it('reports a taken port as the stack names it (PortTakenError)', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const start = listenOrExplain('DynamoDB (dynalite)', port, () => startDynamo({ port, path: join(dir, 'taken'), thread: true }));
      await expect(start).rejects.toThrow(PortTakenError);
      await expect(start).rejects.toThrow(new RegExp(`port ${port} \\(DynamoDB \\(dynalite\\)\\) is taken`));
    } finally {
      taken.close();
    }
  });
});
