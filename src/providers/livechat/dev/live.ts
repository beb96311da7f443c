/** LiveChat's live drift check (docs/drift.md): the number's template-message list, read-only. */
import { defineLiveKit } from '../../../verify/kit.ts';
import type { LivechatAccount } from '../account.ts';

export const livechatLive = defineLiveKit<'livechat', LivechatAccount>({
  name: 'livechat',
  accountFields: [{ field: 'numberId', what: "the WhatsApp number's id in LiveChat's integration" }],
  checks: [
    {
      kind: 'read',
      name: 'template-message list',
      operationId: 'listTemplateMessages',
      request: (account) => ({ path: { id: account.numberId } }),
    },
  ],
});
