/**
 * The send request's schemas (./send-request.ts) and the queue message's (./queue-message.ts),
 * loaded on first use: they carry libphonenumber's metadata (about 120 KB, the largest part of a
 * function's own code), which only a path that reads a request needs — the first send request
 * accepted, the first queue body sent or re-enqueued, an operator's recipient — not every cold
 * start (a status read never does). The functions' code takes them from here, with an `await`;
 * other code (tests, the CLI, the package's users) imports the modules themselves.
 */
import type { QueueMessage } from './queue-message.ts';
import type { MessageContent, Recipient, SendRequest, TemplateContent } from './send-request.ts';

export interface RequestSchemas {
  SendRequest: typeof SendRequest;
  MessageContent: typeof MessageContent;
  TemplateContent: typeof TemplateContent;
  Recipient: typeof Recipient;
  QueueMessage: typeof QueueMessage;
}

let loading: Promise<RequestSchemas> | undefined;

/** The schemas, loaded once; a failed load (never expected: the modules are in the bundle) is tried again next time. */
export function requestSchemas(): Promise<RequestSchemas> {
  loading ??= Promise.all([import('./send-request.ts'), import('./queue-message.ts')]).then(
    ([request, queue]) => ({
      SendRequest: request.SendRequest,
      MessageContent: request.MessageContent,
      TemplateContent: request.TemplateContent,
      Recipient: request.Recipient,
      QueueMessage: queue.QueueMessage,
    }),
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}
