/** The reusable components of the pipeline's infrastructure. */
export { Alarms, type AlarmsArgs } from './alarms.ts';
export { ConfigSecret, configVersion, type ConfigSecretArgs } from './config-secret.ts';
export { FunctionUrlEntry, type FunctionUrlEntryArgs } from './function-url.ts';
export { DEFAULT_ROUTE_THROTTLES, HttpApi, type HttpApiArgs, type Throttle } from './http-api.ts';
export { MessagesTable, type MessagesTableArgs } from './messages-table.ts';
export { NodeFunction, type NodeFunctionArgs, type Statement } from './node-function.ts';
export { PacedQueue, type ConsumerArgs, type PacedQueueArgs } from './paced-queue.ts';
export { API_FUNCTION_TIMEOUT_S, DEFAULT_WEBHOOK_CONCURRENCY, WhatsAppPipeline, type WhatsAppPipelineArgs } from './pipeline.ts';
export { transform, type Transform } from './transform.ts';
