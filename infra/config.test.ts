/** A stack configuration with a mistake stops the program at start, naming the key. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plan } from './plan.ts';

describe('stack configuration', () => {
  it('is validated when the program starts, with errors that name the key', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'stack-')), 'Pulumi.broken.yaml');
    writeFileSync(
      file,
      [
        'config:',
        '  whatsapp-provider-kit:pipeline:',
        '    accounts:',
        '      - { id: acme, provider: kaleyra, senderNumber: "919000014497" }',
        '    apiKeys:',
        '      - { id: k, sha256: "00", accounts: [nobody] }',
        '  whatsapp-provider-kit:sender: { maximumConcurrency: 1 }',
      ].join('\n'),
    );
    const failure = plan('broken', file).then(
      () => undefined,
      (error: Error) => error.message,
    );
    const message = await failure;
    expect(message).toContain('whatsapp-provider-kit:pipeline is not valid');
    expect(message).toContain('accounts.0.sid');
    expect(message).toContain('accounts.0.senderNumber: must be the business number in E.164');
    expect(message).toContain('apiKeys.0.sha256: must be the hex SHA-256 of the key');
  }, 120_000);
});
