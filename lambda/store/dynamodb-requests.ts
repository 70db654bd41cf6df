import type { GetItemCommandInput, PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { ATTR, encodeItem } from './item-codec';
import type { ExpectedVersion, NewRecord } from './session-store';

// Pure builders of the DynamoDB requests; the conditions are named fragments with placeholders for every name and
// value, so no attribute name can collide with a reserved word.

/** Strongly consistent: the read feeds a conditional write. */
export function buildGetSession(tableName: string, key: string): GetItemCommandInput {
  return { TableName: tableName, Key: { [ATTR.key]: { S: key } }, ConsistentRead: true };
}

const ITEM_IS_ABSENT = 'attribute_not_exists(#pk)';
const VERSION_IS = '#version = :expected';

/**
 * Writes the whole item, on the condition that nobody wrote since it was read. On a lost race DynamoDB returns the
 * winning item (ALL_OLD), which saves a read on the retry path.
 */
export function buildPutSession(
  tableName: string,
  key: string,
  record: NewRecord,
  expected: ExpectedVersion,
): PutItemCommandInput {
  const nextVersion = 'absent' in expected ? 1 : expected.version + 1;
  const base = {
    TableName: tableName,
    Item: encodeItem(key, record, nextVersion),
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
  if ('absent' in expected) {
    return { ...base, ConditionExpression: ITEM_IS_ABSENT, ExpressionAttributeNames: { '#pk': ATTR.key } };
  }
  return {
    ...base,
    ConditionExpression: VERSION_IS,
    ExpressionAttributeNames: { '#version': ATTR.version },
    ExpressionAttributeValues: { ':expected': { N: String(expected.version) } },
  };
}
