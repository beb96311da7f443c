/** A LiveChat account: the WhatsApp number it sends from, by LiveChat's id. */
import * as z from 'zod';
import { accountSchema } from '../../config/account-fields.ts';

export const LivechatAccount = accountSchema('livechat', () => ({ numberId: z.string().min(1) }));
export type LivechatAccount = z.output<typeof LivechatAccount>;
