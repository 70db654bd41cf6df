import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SessionDirectoryStack } from '../../lib/session-directory-stack';
import { readStageSettings, stackNameOf } from '../../lib/stage-settings';

// What the CDK tests share: how they synthesize the stack, and how they read a function's grants out of the template.

/** A resource or a part of one in a synthesized template. */
export type Json = Record<string, unknown>;

/** App context that skips esbuild: the tests read the templates, not the bundles. */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

/** The stack as `cdk synth -c key=value …` builds it: the stage's settings read from the app's context. */
export function synthStage(context: Record<string, unknown>): { stack: SessionDirectoryStack; template: Template } {
  const app = new App({ context: { ...NO_BUNDLING, ...context } });
  const settings = readStageSettings((key) => app.node.tryGetContext(key));
  const stack = new SessionDirectoryStack(app, stackNameOf(settings.stage), { settings });
  return { stack, template: Template.fromStack(stack) };
}

/** Every IAM statement of the policies attached to the role `roleLogicalId`. */
export function statementsOfRole(template: Template, roleLogicalId: string): Json[] {
  return (Object.values(template.findResources('AWS::IAM::Policy')) as Json[])
    .filter((policy) => JSON.stringify((policy.Properties as Json).Roles) === JSON.stringify([{ Ref: roleLogicalId }]))
    .flatMap((policy) => ((policy.Properties as Json).PolicyDocument as Json).Statement as Json[]);
}

/** Every IAM statement attached to the execution role of the function `functionLogicalId`. */
export function statementsOfFunction(template: Template, functionLogicalId: string): Json[] {
  const fn = template.findResources('AWS::Lambda::Function')[functionLogicalId] as Json | undefined;
  if (fn === undefined) throw new Error(`no function ${functionLogicalId} in the template`);
  // The role is referenced as { 'Fn::GetAtt': [roleLogicalId, 'Arn'] }.
  const roleId = (((fn.Properties as Json).Role as Json)['Fn::GetAtt'] as string[])[0] as string;
  return statementsOfRole(template, roleId);
}

/** A statement's actions as a list: IAM allows a single action as a string. */
export function actionsOf(statement: Json): string[] {
  return [statement.Action].flat() as string[];
}
