import { RemovalPolicy } from 'aws-cdk-lib';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { CONNECTION_TABLE } from '../../lambda/store/table-schema';
import { acknowledgeFindings } from './acknowledge';
import { addIndexesOf, tablePropsOf } from './table-schema-props';

/**
 * The real-time activity connections table (lambda/store/table-schema.ts CONNECTION_TABLE): sockets and
 * ConnectionIds, garbage after their TTL. Its items live no longer than a connection (2 h) plus a reclaim window, so
 * it goes with the stack and keeps no backups.
 */
export class ConnectionTable extends Construct {
  /** The table; grant access through it. */
  public readonly table: Table;

  public constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      ...tablePropsOf(CONNECTION_TABLE),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // The due-time index the timer sweeper Queries (lambda/store/table-schema.ts DUE_INDEX).
    addIndexesOf(this.table, CONNECTION_TABLE);
    acknowledgeFindings(
      this.table,
      ['AwsSolutions::AwsSolutions-DDB3'],
      'Socket state lives as long as a connection (at most 2 h); clients reconnect and resubscribe after any loss, ' +
        'so a restored copy would describe sockets that no longer exist.',
    );
  }
}
