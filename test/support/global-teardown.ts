/** Jest global teardown: stops the DynamoDB Local that global setup started, leaving no Java process behind. */
export default async function globalTeardown(): Promise<void> {
  const dynamoDbLocal = globalThis.__sessionDirectoryDynamoDbLocal;
  if (dynamoDbLocal === undefined) return;
  globalThis.__sessionDirectoryDynamoDbLocal = undefined;
  delete process.env.DYNAMODB_ENDPOINT;
  await dynamoDbLocal.stop();
}
