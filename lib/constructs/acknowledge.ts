import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag findings (AwsSolutions and Serverless packs, test/infra/cdk-nag.test.ts) on `scope` and
 * everything under it, with the reason the finding does not apply or is accepted. Each rule id as cdk-nag prints it
 * after "Acknowledge with" (`<pack>::<rule>`, with `[finding]` where a rule reports several per resource); the
 * reason is what an auditor reads, so it says why, not what.
 */
export function acknowledgeFindings(scope: IConstruct, rules: readonly string[], reason: string): void {
  for (const id of rules) Validations.of(scope).acknowledge({ id, reason });
}
