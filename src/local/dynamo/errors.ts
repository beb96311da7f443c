/**
 * What the local table answers a request with when it does not do it: DynamoDB's error (its
 * `__type`'s last part in `type`, its message, and for a refused conditional write the item found).
 * Members of the error family (src/errors.ts) as local stack errors; the in-process client and the
 * HTTP endpoint turn them into what the SDK raises from DynamoDB's answer.
 */
import { LocalStackError } from '../../errors.ts';
import type { Item } from './expressions.ts';

export class DynamoEngineError extends LocalStackError {
  /** DynamoDB's error type, e.g. `ConditionalCheckFailedException`. */
  readonly type: string;
  readonly item?: Item;
  constructor(type: string, message: string, item?: Item) {
    super(message);
    this.type = type;
    if (item) this.item = item;
  }
}

/** A request's fault, answered as DynamoDB's ValidationException. */
export class ValidationError extends DynamoEngineError {
  constructor(message: string) {
    super('ValidationException', message);
  }
}
