import { RemovalPolicy } from 'aws-cdk-lib';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { RATE_LIMIT_TABLE } from '../../lambda/store/table-schema';
import { acknowledgeFindings } from './acknowledge';
import { tablePropsOf } from './table-schema-props';

/** Properties of {@link RateLimitTable}. */
export interface RateLimitTableProps {
  /**
   * What happens to the table when it leaves the stack.
   *
   * @default RemovalPolicy.DESTROY - counters live for one window (at most minutes); losing them costs nothing.
   */
  readonly removalPolicy?: RemovalPolicy;
}

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
      // Key, TTL and on-demand billing from lambda/store/table-schema.ts. Counter traffic follows request traffic one
      // to two writes per request: on demand scales with it.
      ...tablePropsOf(RATE_LIMIT_TABLE),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    acknowledgeFindings(
      this.table,
      ['AwsSolutions::AwsSolutions-DDB3'],
      'Fair-use counters live one window (minutes) and are rebuilt by the next requests: nothing to restore.',
    );
  }
}
