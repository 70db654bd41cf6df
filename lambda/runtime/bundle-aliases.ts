/**
 * Packages every Lambda bundle replaces with a module of this repository (esbuild `alias`), read by the CDK construct
 * (lib/constructs/session-function.ts) and by the bundle bench and tests (bench/bundles.ts): one list, so what is
 * measured and tested is what is deployed. Plain data: the CDK app may import it.
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  // The SDK's default credential chain, reduced to the environment (lambda/runtime/lambda-credentials.ts).
  '@aws-sdk/credential-provider-node': './lambda/runtime/lambda-credentials.ts',
};
