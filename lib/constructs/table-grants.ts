import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { FunctionDefinition } from '../../lambda/http/routes';
import {
  ACTIVITY_INDEX,
  SEARCH_INDEX,
  SESSION_FINDER_INDEX,
  SESSION_LIST_INDEX,
} from '../../lambda/store/table-schema';

// Least privilege from data (issue 15 item 7): what each kind of access in the route table
// (FUNCTIONS[name].sessionTableAccess, lambda/http/routes.ts) may do to the sessions table, as explicit DynamoDB
// actions on the table and on named indexes only. CDK's grantReadData/grantReadWriteData would also allow Scan,
// DescribeTable, ConditionCheckItem and every index (`table/index/*`). A function added to FUNCTIONS gets the list of
// the access it declares; a new kind of access does not compile until it has a line here.

/** What one kind of access may do: actions on the table's items, and the indexes it may Query. */
export interface TableGrant {
  readonly itemActions: readonly string[];
  readonly indexQueries: readonly string[];
}

/** Each kind of access to the sessions table, as the store adapters use it (lambda/store/dynamodb-*.ts). */
export const SESSION_TABLE_GRANTS = {
  // A session or a handle read by its key (GetItem, consistent): GET of a session, of a handle, of a handle's session.
  read: { itemActions: ['dynamodb:GetItem'], indexQueries: [] },
  // The conditional write of a session (read, then PutItem conditional on the version; a deletion is a tombstone put).
  'read-write': { itemActions: ['dynamodb:GetItem', 'dynamodb:PutItem'], indexQueries: [] },
  // POST /handles/query: activity pointers by xuid (BatchGetItem) or every activity of a SCID (the activity index).
  // Handle queries: activity pointers by key or by the activity index, search handles by the search index, and the
  // sessions they name (GetItem, BatchGetItem).
  'query-handles': {
    itemActions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'],
    indexQueries: [ACTIVITY_INDEX, SEARCH_INDEX],
  },
  // Creating and deleting handles: the handle and its activity pointer put (one transaction) or deleted.
  'write-handles': { itemActions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'], indexQueries: [] },
  // Session queries and the QA listing: the listing index or the finder index (sessions by xuid or keyword), then the
  // sessions they name read by key (BatchGetItem).
  'query-sessions': {
    itemActions: ['dynamodb:BatchGetItem'],
    indexQueries: [SESSION_LIST_INDEX.name, SESSION_FINDER_INDEX.name],
  },
  // No access at all (`GET /nonce`).
  none: { itemActions: [], indexQueries: [] },
} as const satisfies Record<FunctionDefinition['sessionTableAccess'], TableGrant>;

/** `GET /nonce` only puts its nonce items into the connections table (lambda/store/dynamodb-nonce-store.ts). */
export const NONCE_GRANT: TableGrant = { itemActions: ['dynamodb:PutItem'], indexQueries: [] };

/** The fair-use counters are only ever incremented (one atomic UpdateItem per request). */
export const RATE_LIMIT_TABLE_ACTIONS = ['dynamodb:UpdateItem'] as const;

/**
 * The real-time functions keep sockets and ConnectionIds (lambda/store/dynamodb-connection-store.ts): put, update,
 * read (one by key, many by keys) and delete them; never a Scan or a Query.
 */
export const CONNECTION_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
] as const;

/** Grants `grantee` exactly `grant` on `table`: its item actions on the table ARN, Query on each named index. */
export function grantTableAccess(table: ITable, grantee: IGrantable, grant: TableGrant): void {
  if (grant.itemActions.length > 0) {
    Grant.addToPrincipal({ grantee, actions: [...grant.itemActions], resourceArns: [table.tableArn] });
  }
  if (grant.indexQueries.length > 0) {
    Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:Query'],
      resourceArns: grant.indexQueries.map((index) => `${table.tableArn}/index/${index}`),
    });
  }
}
