/** The sender's claims on message items: each transition of {@link SendClaimRepository} is one conditional write. */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { STATUS_RANK } from '../../messages/status.ts';
import type { Claim, HoldSpec, RouteSwitch, StoredError, UnknownDetails } from '../model.ts';
import type { SendClaimRepository } from '../repositories.ts';
import { dueShard, INDEX, KEY, messageKey, pauseShard, recipientIndexValue } from '../table.ts';
import { CLAIM_ATTRIBUTES, claimFrom } from './items.ts';
import { DynamoDBRepository } from './layer.ts';

export class DynamoDBSendClaimRepository extends DynamoDBRepository implements SendClaimRepository {
  /**
   * The message keeps its `due` index entry (no index write here): the sweeper finds a claim whose
   * invocation died, and the outcome's write removes the entry.
   */
  claim(id: string, token: string, at: string, options: { until?: string; keepPayload?: boolean; route?: number } = {}): Promise<boolean> {
    const until = options.until ? ', claimUntil = :until' : '';
    const owned = options.route === undefined ? undefined : routeOwnedBy(options.route);
    return this.conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(id),
          UpdateExpression:
            `SET #status = :sending, #rank = :rank, claimToken = :token, claimedAt = :at${until}, ` +
            'attempts = if_not_exists(attempts, :zero) + :one, ' +
            `#at.#sending = if_not_exists(#at.#sending, :at)${options.keepPayload ? '' : ' REMOVE payload'}`,
          ConditionExpression: `attribute_exists(#pk) AND #status IN (:queued, :scheduled)${owned ? ` AND ${owned.condition}` : ''}`,
          ExpressionAttributeNames: {
            '#pk': KEY.partition,
            '#status': 'status',
            '#rank': 'rank',
            '#at': 'at',
            '#sending': 'sending',
            ...owned?.names,
          },
          ExpressionAttributeValues: {
            ...owned?.values,
            ':sending': 'sending',
            ':rank': STATUS_RANK.sending,
            ':token': token,
            ':at': at,
            ':zero': 0,
            ':one': 1,
            ':queued': 'queued',
            ':scheduled': 'scheduled',
            ...(options.until ? { ':until': options.until } : {}),
          },
        }),
      ),
    );
  }

  unclaim(id: string, token: string, error: StoredError, hold?: HoldSpec): Promise<boolean> {
    return this.#requeue(id, token, { error, ...(hold ? { hold } : {}) });
  }

  release(id: string, token: string, hold: HoldSpec): Promise<boolean> {
    return this.#requeue(id, token, { hold, uncount: true });
  }

  /**
   * A claim given back (`sending → queued`, for the claim's holder only): with the refusal's
   * `error` (unclaim), the attempt taken back (release), and with `hold` the sealed body and the
   * `due` entry (or the paused account's shard) that bring the message back.
   */
  #requeue(id: string, token: string, change: { error?: StoredError; hold?: HoldSpec; uncount?: boolean }): Promise<boolean> {
    const { error, hold, uncount } = change;
    const set = ['#status = :queued', '#rank = :rank'];
    const names: Record<string, string> = { '#status': 'status', '#rank': 'rank' };
    const values: Record<string, unknown> = { ':queued': 'queued', ':rank': STATUS_RANK.queued, ':sending': 'sending', ':token': token };
    if (error) {
      set.push('#error = :error');
      names['#error'] = 'error';
      values[':error'] = error;
    }
    if (uncount) {
      set.push('attempts = attempts - :one');
      values[':one'] = 1;
    }
    if (hold) {
      set.push('dueShard = :shard', 'dueAt = :due', 'payload = :payload');
      values[':shard'] = hold.pausedAccount ? pauseShard(hold.pausedAccount) : dueShard(id);
      values[':due'] = hold.dueAt;
      values[':payload'] = hold.sealedPayload;
    }
    return this.conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(id),
          UpdateExpression: `SET ${set.join(', ')} REMOVE claimToken, claimUntil`,
          ConditionExpression: '#status = :sending AND claimToken = :token',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  markUnknown(id: string, at: string, reason: string, token?: string, details: UnknownDetails = {}): Promise<boolean> {
    return this.conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(id),
          UpdateExpression:
            'SET #status = :unknown, #rank = :rank, #at.#unknown = if_not_exists(#at.#unknown, :at), #error = :error ' +
            'REMOVE dueShard, dueAt, payload',
          ConditionExpression: token ? '#status = :sending AND claimToken = :token' : '#status = :sending',
          ExpressionAttributeNames: { '#status': 'status', '#rank': 'rank', '#at': 'at', '#unknown': 'unknown', '#error': 'error' },
          ExpressionAttributeValues: {
            ':unknown': 'unknown',
            ':rank': STATUS_RANK.unknown,
            ':at': at,
            ':error': { class: 'unknown', ...details, reason },
            ':sending': 'sending',
            ...(token ? { ':token': token } : {}),
          },
        }),
      ),
    );
  }

  switchRoute(id: string, change: RouteSwitch): Promise<boolean> {
    const owned = routeOwnedBy(change.from);
    const { hold } = change;
    const shard = hold.pausedAccount ? pauseShard(hold.pausedAccount) : dueShard(id);
    const fromSending = change.token !== undefined;
    return this.conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(id),
          UpdateExpression:
            `SET ${fromSending ? '#status = :queued, #rank = :rank, ' : ''}#route = :to, ` +
            '#routes = list_append(if_not_exists(#routes, :none), :refused), #error = :error, ' +
            // Findable by recipient under the new route's account only where its provider needs it.
            `dueShard = :shard, dueAt = :due, payload = :payload${change.indexRecipient ? ', #rk = :rk' : ''} ` +
            `REMOVE claimToken, claimUntil${change.indexRecipient ? '' : ', #rk'}`,
          ConditionExpression:
            `attribute_exists(#pk) AND ${owned.condition} AND ` +
            (fromSending ? '#status = :sending AND claimToken = :token' : '#status IN (:queued, :scheduled)'),
          ExpressionAttributeNames: {
            '#pk': KEY.partition,
            '#status': 'status',
            '#route': 'route',
            '#routes': 'routes',
            '#error': 'error',
            ...owned.names,
            ...(fromSending ? { '#rank': 'rank' } : {}),
            '#rk': INDEX.byRecipient.partition,
          },
          ExpressionAttributeValues: {
            ...owned.values,
            ':to': change.to,
            ':none': [],
            ':refused': [change.refused],
            ':error': change.refused.error,
            ':shard': shard,
            ':due': hold.dueAt,
            ':payload': hold.sealedPayload,
            ':queued': 'queued',
            ...(change.indexRecipient ? { ':rk': recipientIndexValue(change.to.account, change.indexRecipient) } : {}),
            ...(fromSending
              ? { ':rank': STATUS_RANK.queued, ':sending': 'sending', ':token': change.token }
              : { ':scheduled': 'scheduled' }),
          },
        }),
      ),
    );
  }

  async claimOf(id: string): Promise<Claim | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: messageKey(id), ConsistentRead: true, ProjectionExpression: CLAIM_ATTRIBUTES }),
    );
    return Item?.claimToken ? claimFrom(Item) : undefined;
  }
}

/** The condition that route `index` owns a message's send: no `route` for the origin (0), else the route's index. */
function routeOwnedBy(index: number): { condition: string; names: Record<string, string>; values: Record<string, unknown> } {
  if (index === 0) return { condition: 'attribute_not_exists(#route)', names: { '#route': 'route' }, values: {} };
  return {
    condition: '#route.#routeIndex = :routeIndex',
    names: { '#route': 'route', '#routeIndex': 'index' },
    values: { ':routeIndex': index },
  };
}
