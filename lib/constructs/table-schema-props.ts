import { type Attribute, AttributeType, BillingMode, StreamViewType } from 'aws-cdk-lib/aws-dynamodb';
import type { KeyAttribute, TableSchema } from '../../lambda/store/table-schema';

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
