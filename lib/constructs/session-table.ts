import { RemovalPolicy } from 'aws-cdk-lib';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { SESSION_TABLE } from '../../lambda/store/table-schema';
import { acknowledgeFindings } from './acknowledge';
import { addIndexesOf, tablePropsOf } from './table-schema-props';

/** Properties of {@link SessionTable}. */
export interface SessionTableProps {
  /**
   * What happens to the table (and every session in it) when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN - sessions outlive a mistaken `cdk destroy`; a `destroy` stage passes DESTROY.
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether DynamoDB refuses to delete the table (by anyone, CloudFormation included) until this is turned off.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * Continuous backups: restore the table to any second of the last 35 days (billed per GB-month).
   *
   * @default true
   */
  readonly pointInTimeRecovery?: boolean;
}

/**
 * The DynamoDB table holding one item per MPSD session.
 *
 * Uses the classic `Table` (AWS::DynamoDB::Table) rather than `TableV2` (AWS::DynamoDB::GlobalTable): the service is
 * single-Region, and the plain resource keeps the template, the IAM resource ARNs and the console view simple. Moving
 * to `TableV2` later is a documented in-place migration, should replicas ever be needed.
 */
export class SessionTable extends Construct {
  /** The table; grant access through it (`grantReadData`, `grantReadWriteData`). */
  public readonly table: Table;

  public constructor(scope: Construct, id: string, props: SessionTableProps = {}) {
    super(scope, id);

    this.table = new Table(this, 'Table', {
      // No physical name: CloudFormation can replace the table, and two stacks can share an account.
      // Key `pk` (`<scid>#<template>#<name>`), TTL on `ttl`, on demand: the shape the local tables share
      // (lambda/store/table-schema.ts). Staging traffic is bursty and mostly idle: on-demand costs nothing at rest.
      ...tablePropsOf(SESSION_TABLE),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.pointInTimeRecovery ?? true },
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    // The activity index (handles) and the due-time index the timer sweeper Queries (lambda/store/table-schema.ts).
    addIndexesOf(this.table, SESSION_TABLE);
    if (props.pointInTimeRecovery === false) {
      acknowledgeFindings(
        this.table,
        ['AwsSolutions::AwsSolutions-DDB3'],
        'A throwaway stage (data policy destroy): its sessions go with the stack anyway, and sessions live hours; ' +
          'retained stages keep point-in-time recovery.',
      );
    }
  }
}
