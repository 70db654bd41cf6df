import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/** Properties of {@link SessionTable}. */
export interface SessionTableProps {
  /**
   * What happens to the table (and every session in it) when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN - sessions outlive a mistaken `cdk destroy`; pass DESTROY for throwaway stacks.
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Name of the partition key: `<scid>#<template>#<name>`, one item per session (DESIGN.md, "Decisions"). */
export const SESSION_TABLE_PARTITION_KEY = 'pk';

/** Name of the numeric TTL attribute (epoch seconds); DynamoDB deletes sessions nobody touches again. */
export const SESSION_TABLE_TTL_ATTRIBUTE = 'ttl';

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
      partitionKey: { name: SESSION_TABLE_PARTITION_KEY, type: AttributeType.STRING },
      // Staging traffic is bursty and mostly idle: on-demand costs nothing at rest and needs no capacity planning.
      billingMode: BillingMode.PAY_PER_REQUEST,
      // TTL is only garbage collection; reads treat an expired item as absent because deletion lags by up to days.
      timeToLiveAttribute: SESSION_TABLE_TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }
}
