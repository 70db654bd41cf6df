import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/** Properties of {@link RateLimitTable}. */
export interface RateLimitTableProps {
  /**
   * What happens to the table when it leaves the stack.
   *
   * @default RemovalPolicy.DESTROY - counters live for one window (at most minutes); losing them costs nothing.
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Name of the partition key: `<xuid>#<title>#<period>s#<windowStart>`, one item per counter and window. */
export const RATE_LIMIT_TABLE_PARTITION_KEY = 'pk';

/** Name of the numeric TTL attribute (epoch seconds): a counter is garbage once its window has closed. */
export const RATE_LIMIT_TABLE_TTL_ATTRIBUTE = 'ttl';

/**
 * The fair-use counters (MPSD's per-user-per-title rate limits, spec §1.6), shared by every function instance through
 * atomic `ADD` updates. A table of its own so that the GET function, which may only read sessions, can count.
 * No point-in-time recovery and destroyed with the stack: nothing in it outlives its few-minute window.
 */
export class RateLimitTable extends Construct {
  /** The table; grant access through it (`grantReadWriteData`). */
  public readonly table: Table;

  public constructor(scope: Construct, id: string, props: RateLimitTableProps = {}) {
    super(scope, id);

    this.table = new Table(this, 'Table', {
      partitionKey: { name: RATE_LIMIT_TABLE_PARTITION_KEY, type: AttributeType.STRING },
      // Counter traffic follows request traffic one to two writes per request: on demand scales with it.
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: RATE_LIMIT_TABLE_TTL_ATTRIBUTE,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
  }
}
