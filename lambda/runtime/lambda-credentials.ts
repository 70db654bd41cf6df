import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * What every Lambda bundle gets in place of `@aws-sdk/credential-provider-node` (BUNDLE_ALIASES,
 * lambda/runtime/bundle-aliases.ts): the SDK clients' default credential chain reduced to its first link, the
 * environment. In Lambda the function's role credentials are always in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN, and that first link is the one that answers; the rest of the chain (SSO, STS, sign-in, INI and
 * process files, the instance metadata service) is about 130 KB of every bundle that never runs (docs/bundles.md).
 * The clients import only `defaultProvider` from that package (their runtimeConfig.js). Local code and tests are not
 * bundled and keep the full chain. Tested: test/runtime/lambda-credentials.test.ts runs a bundle against DynamoDB
 * Local with credentials in the environment only, and with credentials in a profile file only.
 */
export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);
