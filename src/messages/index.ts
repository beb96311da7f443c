/** The message model: what every part of the pipeline agrees on. */
export * from './queue-message.ts';
export * from './send-request.ts';
export * from './status-event.ts';
export * from './status.ts';
