/** Loopwave's live drift check (docs/drift.md): its health and its chat list, read-only. */
import { defineLiveKit } from '../../../verify/kit.ts';
import type { LoopwaveAccount } from '../account.ts';

export const loopwaveLive = defineLiveKit<'loopwave', LoopwaveAccount>({
  name: 'loopwave',
  // Self-hosted: `--base-url` (the deployment's origin) is required by its account schema.
  accountFields: [{ field: 'sessionId', what: 'the session (connected number) whose chats are read; default: the first connected one' }],
  checks: [
    { kind: 'read', name: 'health', operationId: 'getHealth', request: () => ({}) },
    {
      kind: 'read',
      name: 'chat list',
      operationId: 'listChats',
      // One small page is enough to check the shape.
      request: (account) => ({ query: { limit: '20', ...(account.sessionId ? { sessionId: account.sessionId } : {}) } }),
    },
  ],
});
