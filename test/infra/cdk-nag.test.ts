import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { SessionDirectoryStack } from '../../lib/session-directory-stack';
import { readStageSettings, stackNameOf } from '../../lib/stage-settings';
import { NO_BUNDLING } from './stack-fixtures';

// cdk-nag's AwsSolutions and Serverless packs over two stages (issue 15 item 8): every finding is fixed or
// acknowledged in code with its reason (lib/constructs/acknowledge.ts and its callers), so synthesis with both packs
// passes; a new unacknowledged finding makes it fail, and this test names it.

interface Finding {
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
}

/** Synthesizes one stage with both packs; the findings of the validation report, empty when synthesis passed. */
function findingsOf(context: Record<string, unknown>, addToStack?: (stack: SessionDirectoryStack) => void): Finding[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-nag-'));
  try {
    const app = new App({ outdir, context: { ...NO_BUNDLING, ...context } });
    const settings = readStageSettings((key) => app.node.tryGetContext(key));
    const stack = new SessionDirectoryStack(app, stackNameOf(settings.stage), { settings });
    addToStack?.(stack);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
    try {
      app.synth();
    } catch (error) {
      const report = path.join(outdir, 'validation-report.json');
      if (!fs.existsSync(report)) throw error;
      return findingsIn(JSON.parse(fs.readFileSync(report, 'utf8')));
    }
    return [];
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

interface Report {
  pluginReports: {
    violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

function findingsIn(report: Report): Finding[] {
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((violation) =>
      violation.violatingConstructs.map((construct) => ({
        rule: violation.ruleName,
        severity: violation.severity,
        path: construct.constructPath,
      })),
    ),
  );
}

const STAGES: Record<string, Record<string, unknown>> = {
  'a dev stage (defaults: data destroyed, tracing on)': {},
  'a staging stage with an alarm email, a custom domain and WebSocket access logs': {
    stage: 'staging',
    alarmEmail: 'ops@example.com',
    domainName: 'mpsd.staging.example.com',
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    hostedZoneName: 'staging.example.com',
    disableExecuteApiEndpoint: 'true',
    realTimeAccessLogs: 'true',
  },
  'a load-test stage (fair use off, no tracing, reserved concurrency)': {
    stage: 'load',
    rateLimits: 'off',
    tracing: 'false',
    reservedConcurrency: '20',
  },
};

it.each(Object.entries(STAGES))('%s has no unacknowledged finding', (_name, context) => {
  expect(findingsOf(context)).toEqual([]);
});

it('an unacknowledged finding fails synthesis and is reported with its rule and construct', () => {
  // An SQS queue used as nothing's dead-letter queue: AwsSolutions-SQS3 and Serverless' redrive rule, unacknowledged.
  const findings = findingsOf({}, (stack) => new Queue(stack, 'Unacknowledged', { enforceSSL: true }));
  expect(findings).toEqual(
    expect.arrayContaining([
      { rule: 'AwsSolutions-SQS3', severity: 'error', path: 'SessionDirectory-dev/Unacknowledged/Resource' },
    ]),
  );
  expect(findings.every((finding) => finding.path.startsWith('SessionDirectory-dev/Unacknowledged/'))).toBe(true);
});
