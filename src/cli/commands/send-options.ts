/** The flags of `wapk send`, single and `--csv`. */
import type { parse } from '../args.ts';

export const SEND_OPTIONS = {
  provider: { type: 'string' },
  account: { type: 'string' },
  to: { type: 'string' },
  template: { type: 'string' },
  language: { type: 'string' },
  body: { type: 'string', multiple: true },
  named: { type: 'string', multiple: true },
  'header-image': { type: 'string' },
  'header-text': { type: 'string' },
  button: { type: 'string', multiple: true },
  text: { type: 'string' },
  schedule: { type: 'string' },
  metadata: { type: 'string', multiple: true },
  'idempotency-key': { type: 'string' },
  csv: { type: 'string' },
  concurrency: { type: 'string' },
  failures: { type: 'string' },
} as const;

export type SendValues = ReturnType<typeof parse<typeof SEND_OPTIONS>>['values'];
