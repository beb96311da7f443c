/** LiveTok's live drift check (docs/drift.md): its knowledge-base list, read-only. */
import { defineLiveKit } from '../../../verify/kit.ts';
import type { LivetokAccount } from '../account.ts';

export const livetokLive = defineLiveKit<'livetok', LivetokAccount>({
  name: 'livetok',
  accountFields: [],
  checks: [{ kind: 'read', name: 'knowledge-base list', operationId: 'listKnowledgeEntries', request: () => ({}) }],
});
