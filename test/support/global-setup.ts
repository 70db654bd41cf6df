import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local';

declare global {
  /** The DynamoDB Local this test run started (absent when DYNAMODB_ENDPOINT was given); stopped by global teardown. */
  var __sessionDirectoryDynamoDbLocal: DynamoDbLocal | undefined;
}

/**
 * Jest global setup: one in-memory DynamoDB Local for the whole run (starting one takes about 2 s). It runs in Jest's
 * parent process before any worker is forked, so the environment set here is inherited by every test file.
 */
export default async function globalSetup(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  // Dummy credentials and region: a test must never reach real AWS, whatever the developer's shell holds.
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_DEFAULT_REGION = 'us-east-1';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;

  // An endpoint given by the caller (a DynamoDB Local already running) is used as it is.
  if (process.env.DYNAMODB_ENDPOINT) return;
  const dynamoDbLocal = await startDynamoDbLocal();
  process.env.DYNAMODB_ENDPOINT = dynamoDbLocal.endpoint;
  globalThis.__sessionDirectoryDynamoDbLocal = dynamoDbLocal;
}
