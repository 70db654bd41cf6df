import { App } from 'aws-cdk-lib';
import { SessionDirectoryStack } from './session-directory-stack';
import { readStageSettings, stackNameOf } from './stage-settings';

/**
 * CDK app entry, run by `cdk` through cdk.json (`tsx lib/app.ts`).
 *
 * `-c stage=<name>` picks the stage (default `dev`): each stage is a stack of its own, `SessionDirectory-<name>`,
 * with its settings from context (lib/stage-settings.ts; every key and default in docs/operations.md).
 *
 * Optional context, e.g. `cdk deploy -c tokenIssuer=https://issuer.example`:
 * - `tokenSecretArn`: complete ARN of an existing secret holding the HS256 token-signing key (default: the stack
 *   creates one);
 * - `tokenIssuer`, `tokenAudience`: required `iss` and `aud` claims of caller tokens (default: not checked);
 * - `tokenJwksUrl`: verify RS256/ES256 tokens by this issuer key set instead of the HS256 secret (needs both above).
 */
const app = new App();

/** Reads an optional string context value; an empty string counts as absent so `-c key=` can clear a cdk.json value. */
function readStringContext(key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new Error(`context value '${key}' must be a string, got ${JSON.stringify(value)}`);
  }
  return value;
}

// No `env`: the stack is environment-agnostic, so synth needs no credentials and `cdk deploy` targets the account and
// Region of the current AWS profile.
const settings = readStageSettings((key) => app.node.tryGetContext(key));
new SessionDirectoryStack(app, stackNameOf(settings.stage), {
  description: `Xbox Live MPSD-compatible session directory, stage ${settings.stage} (HTTP API, Lambda, DynamoDB)`,
  settings,
  tokenSecretArn: readStringContext('tokenSecretArn'),
  tokenIssuer: readStringContext('tokenIssuer'),
  tokenAudience: readStringContext('tokenAudience'),
  tokenJwksUrl: readStringContext('tokenJwksUrl'),
});
