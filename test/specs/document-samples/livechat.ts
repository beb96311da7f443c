/**
 * LiveChat's document (livechat.txt, "Sending Message Templates via the API"): its samples as
 * printed. It prints no request or answer of the two operations (only the body table), and blank
 * header names in the webhook table: what it prints are the webhook bodies. See ./types.ts.
 */
import type { DocumentSample } from './types.ts';

export const LIVECHAT_STRUCTURE = `{
"type": "message.status",
"timestamp": "2024-10-02T09:50:53.124072075Z",
"data": {
// status update from meta
}
}`;
export const LIVECHAT_SENT = `{
"type": "message.status",
"timestamp": "2024-10-02T09:50:37.917941416Z",
"data": {
"id": "wamid.HBgLNDg2MDk2NTU5MTEVAgARGBJGOERCNzY1MTdBQUE4REM3RUMA",
"status": "sent",
"timestamp": 1727862637,
"conversation": {
"id": "8eaad41770498bb225fa838b44c2531b",
"origin": {
"type": "marketing"
},
"expiration_timestamp": 1727949060
},
"pricing": {
"billable": true,
"pricing_model": "CBP",
"category": "marketing"
},
"recipient_id": "48635625362"
}
}`;
export const LIVECHAT_DELIVERED = `{
"type": "message.status",
"timestamp": "2024-10-02T09:50:38.917102501Z",
"data": {
"id": "wamid.HBgLNDg2MDk2NTU5MTEVAgARGBJGOERCNzY1MTdBQUE4REM3RUMA",
"status": "delivered",
"timestamp": 1727862637,
"conversation": {
"id": "8eaad41770498bb225fa838b44c2531b",
"origin": {
"type": "marketing"
}
},
"pricing": {
"billable": true,
"pricing_model": "CBP",
"category": "marketing"
},
"recipient_id": "48635625362"
}
}`;
export const LIVECHAT_READ = `{
"type": "message.status",
"timestamp": "2024-10-02T09:50:53.124072075Z",
"data": {
"id": "wamid.HBgLNDg2MDk2NTU5MTEVAgARGBJGOERCNzY1MTdBQUE4REM3RUMA",
"status": "read",
"timestamp": 1727862652,
"recipient_id": "48635625362"
}
}`;
export const LIVECHAT_FAILED = `{
"type": "message.status",
"timestamp": "2024-10-02T10:13:41.724930177Z",
"data": {
"id": "wamid.HBgMNDg2MDk2NTU5MTExFQIAERgSMTQ4MUY0NkZBQzQwQzYxMDNBAA==",
"status": "failed",
"timestamp": 1727864020,
"errors": [
{
"code": 131026,
"title": "Message undeliverable",
"message": "Message undeliverable",
"error_data": {
"details": "Message Undeliverable."
}
}
],
"recipient_id": "48635625362"
}
}`;

const WEBHOOK = { webhook: 'messageStatus' } as const;

export const livechatSamples: DocumentSample[] = [
  {
    where: 'Webhooks specs: Body ("The webhook body has following structure"), data filled with the read example’s status',
    against: WEBHOOK,
    printed: LIVECHAT_STRUCTURE,
    placeholders: {
      '// status update from meta':
        '"id": "wamid.HBgLNDg2MDk2NTU5MTEVAgARGBJGOERCNzY1MTdBQUE4REM3RUMA", "status": "read", "timestamp": 1727862652, ' +
        '"recipient_id": "48635625362"',
    },
  },
  { where: 'Examples: Message sent', against: WEBHOOK, printed: LIVECHAT_SENT },
  { where: 'Examples: Message delivered', against: WEBHOOK, printed: LIVECHAT_DELIVERED },
  { where: 'Examples: Message read', against: WEBHOOK, printed: LIVECHAT_READ },
  { where: 'Examples: Message failed (wrong number)', against: WEBHOOK, printed: LIVECHAT_FAILED },
];
