/**
 * The Gupshup client as the package exports it (`whatsapp-provider-kit/gupshup`): the generated
 * one, with a form-body serializer that matches the spec.
 *
 * Gupshup's send takes `application/x-www-form-urlencoded` with `template`, `message` and
 * `postbackTexts` as JSON text, each in ONE form field (the spec says so with `encoding`).
 * hey-api ignores `encoding`: its `urlSearchParamsBodySerializer` JSON-encodes objects (right)
 * but splits an array into repeated keys, one JSON item each (`postbackTexts={..}&postbackTexts={..}`),
 * which Gupshup does not read as the documented `postbackTexts=[{..},{..}]`.
 */
import { sendTemplateMessage as generatedSendTemplateMessage, type Options } from '../../generated/gupshup/index.ts';
import type { SendTemplateMessageData } from '../../generated/gupshup/types.gen.ts';

export * from '../../generated/gupshup/index.ts';
export * from '../../generated/gupshup/zod.gen.ts';
export { createClient, createConfig } from '../../generated/gupshup/client/index.ts';
export { client } from '../../generated/gupshup/client.gen.ts';

/** Strings as-is; every other defined value (objects and arrays alike) as one JSON text field. */
export const gupshupFormBodySerializer = {
  bodySerializer(body: unknown): string {
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (value === undefined || value === null) continue;
      form.append(key, typeof value === 'string' ? value : JSON.stringify(value));
    }
    return form.toString();
  },
};

/** The generated `sendTemplateMessage`, with `gupshupFormBodySerializer` unless the caller passes another. */
export const sendTemplateMessage = <ThrowOnError extends boolean = false>(options: Options<SendTemplateMessageData, ThrowOnError>) =>
  generatedSendTemplateMessage<ThrowOnError>({ bodySerializer: gupshupFormBodySerializer.bodySerializer, ...options });
