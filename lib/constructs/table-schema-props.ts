import {
  type Attribute,
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  type Table,
} from 'aws-cdk-lib/aws-dynamodb';
import type { KeyAttribute, SecondaryIndex, TableSchema } from '../../lambda/store/table-schema';

const ATTRIBUTE_TYPES = {
  S: AttributeType.STRING,
  N: AttributeType.NUMBER,
  B: AttributeType.BINARY,
} as const satisfies Record<KeyAttribute['type'], AttributeType>;

const BILLING_MODES = {
  PAY_PER_REQUEST: BillingMode.PAY_PER_REQUEST,
} as const satisfies Record<TableSchema['billingMode'], BillingMode>;

const STREAM_VIEW_TYPES = {
  NEW_AND_OLD_IMAGES: StreamViewType.NEW_AND_OLD_IMAGES,
} as const satisfies Record<NonNullable<TableSchema['stream']>, StreamViewType>;

/** The `Table` properties a plain-data table schema fixes: key, billing, TTL attribute and stream. */
export function tablePropsOf(schema: TableSchema): {
  partitionKey: Attribute;
  billingMode: BillingMode;
  timeToLiveAttribute: string;
  stream?: StreamViewType;
} {
  return {
    partitionKey: { name: schema.partitionKey.name, type: ATTRIBUTE_TYPES[schema.partitionKey.type] },
    billingMode: BILLING_MODES[schema.billingMode],
    timeToLiveAttribute: schema.timeToLiveAttribute,
    ...(schema.stream === undefined ? {} : { stream: STREAM_VIEW_TYPES[schema.stream] }),
  };
}

const PROJECTIONS = {
  KEYS_ONLY: ProjectionType.KEYS_ONLY,
  ALL: ProjectionType.ALL,
} as const satisfies Record<SecondaryIndex['projection'], ProjectionType>;

/** Adds the schema's global secondary indexes (activities, due time) to a table built from `tablePropsOf`. */
export function addIndexesOf(table: Table, schema: TableSchema): void {
  for (const index of schema.indexes ?? []) {
    table.addGlobalSecondaryIndex({
      indexName: index.name,
      partitionKey: { name: index.partitionKey.name, type: ATTRIBUTE_TYPES[index.partitionKey.type] },
      sortKey: { name: index.sortKey.name, type: ATTRIBUTE_TYPES[index.sortKey.type] },
      projectionType: PROJECTIONS[index.projection],
    });
  }
}
