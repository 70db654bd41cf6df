import { type Attribute, AttributeType, BillingMode } from 'aws-cdk-lib/aws-dynamodb';
import type { KeyAttribute, TableSchema } from '../../lambda/store/table-schema';

const ATTRIBUTE_TYPES = {
  S: AttributeType.STRING,
  N: AttributeType.NUMBER,
  B: AttributeType.BINARY,
} as const satisfies Record<KeyAttribute['type'], AttributeType>;

const BILLING_MODES = {
  PAY_PER_REQUEST: BillingMode.PAY_PER_REQUEST,
} as const satisfies Record<TableSchema['billingMode'], BillingMode>;

/** The `Table` properties a plain-data table schema fixes: key, billing and TTL attribute. */
export function tablePropsOf(schema: TableSchema): {
  partitionKey: Attribute;
  billingMode: BillingMode;
  timeToLiveAttribute: string;
} {
  return {
    partitionKey: { name: schema.partitionKey.name, type: ATTRIBUTE_TYPES[schema.partitionKey.type] },
    billingMode: BILLING_MODES[schema.billingMode],
    timeToLiveAttribute: schema.timeToLiveAttribute,
  };
}
