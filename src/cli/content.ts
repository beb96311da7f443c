/** Building the send request's template parts from flags: header, buttons, body values. */
import { UsageError } from './errors.ts';

export type Header = { type: 'text'; text: string } | { type: 'image'; media: { link: string } | { id: string } };

export type Button =
  | { type: 'quick_reply'; index: number; payload: string }
  | { type: 'url'; index: number; text: string }
  | { type: 'copy_code'; index: number; code: string };

/** `--header-image URL|MEDIA_ID` or `--header-text T` (not both). */
export function headerFrom(
  values: { 'header-image'?: string | undefined; 'header-text'?: string | undefined },
  usage: string,
): Header | undefined {
  const image = values['header-image'];
  const text = values['header-text'];
  if (image !== undefined && text !== undefined) throw new UsageError('give --header-image or --header-text, not both', usage);
  if (text !== undefined) return { type: 'text', text };
  if (image !== undefined) return { type: 'image', media: /^https?:\/\//i.test(image) ? { link: image } : { id: image } };
  return undefined;
}

/** `--button TYPE:INDEX:VALUE` (the value may hold further colons, as a URL suffix may). */
export function buttonsFrom(specs: readonly string[] | undefined, usage: string): Button[] | undefined {
  if (!specs || specs.length === 0) return undefined;
  return specs.map((spec) => {
    const match = /^([a-z_]+):(\d+):(.*)$/s.exec(spec);
    if (!match)
      throw new UsageError(
        `--button takes TYPE:INDEX:VALUE (copy_code:0:CODE, quick_reply:1:PAYLOAD, url:2:SUFFIX), not ${JSON.stringify(spec)}`,
        usage,
      );
    const [, type, index, value] = match as unknown as [string, string, string, string];
    switch (type) {
      case 'copy_code':
        return { type, index: Number(index), code: value };
      case 'quick_reply':
        return { type, index: Number(index), payload: value };
      case 'url':
        return { type, index: Number(index), text: value };
      default:
        throw new UsageError(`--button type must be copy_code, quick_reply or url, not ${JSON.stringify(type)}`, usage);
    }
  });
}
