import * as path from 'node:path';
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type ICommandHooks, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BUNDLE_ALIASES } from '../../lambda/runtime/bundle-aliases';
import {
  LIBRARY_VARIABLES,
  NODE_OPTIONS_VARIABLE,
  RUNTIME_VARIABLES,
} from '../../lambda/runtime/environment-variables';
import { acknowledgeFindings } from './acknowledge';

/** The Lambda package's root inside the function, where the bundle and the folders copied beside it are. */
export const BUNDLED_PACKAGE_ROOT = '/var/task';

/** Where the bundled session templates live inside the Lambda package. */
export const BUNDLED_TEMPLATES_DIR = `${BUNDLED_PACKAGE_ROOT}/templates`;

/** API Gateway ends every integration after 29 s; a function must give up well before that to answer itself. */
const API_GATEWAY_INTEGRATION_LIMIT_SECONDS = 29;

/** The repository root, seen from lib/constructs/ (the app never runs from a copied or compiled tree). */
const DEFAULT_PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Properties of {@link SessionFunction}. */
export interface SessionFunctionProps {
  /** Path of the handler module, relative to `projectRoot` (for example `lambda/functions/get-session.ts`); it exports `handler`. */
  readonly entry: string;

  /**
   * Environment variables added to the defaults (`SESSION_TEMPLATES_DIR`, `NODE_OPTIONS`). Never put a secret value
   * here: pass the ARN of a Secrets Manager secret and grant read on it instead.
   *
   * @default - only the defaults
   */
  readonly environment?: Readonly<Record<string, string>>;

  /**
   * Memory in MB. Lambda allots CPU in proportion to memory, and JSON parsing of large session documents is CPU-bound.
   *
   * @default 1024
   */
  readonly memorySize?: number;

  /**
   * How long one invocation may run. Must stay below API Gateway's 29 s integration limit so the function, not the
   * gateway, decides what the caller sees. The default leaves room for the 7 s store budget of a PUT plus what comes
   * before it (a JWKS fetch up to 2 s, the fair-use counter up to 1 s, a cold start reading the secret).
   *
   * @default Duration.seconds(15)
   */
  readonly timeout?: Duration;

  /**
   * Whether an API Gateway integration invokes the function, which then must end within the integration limit. A
   * scheduled function (the timer sweeper) is not behind an API and may run longer.
   *
   * @default true
   */
  readonly behindApi?: boolean;

  /**
   * How long the function's log group keeps its logs.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;

  /**
   * Whether the log group outlives the stack (a `retain` stage keeps its logs until their retention ends).
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly logRemovalPolicy?: RemovalPolicy;

  /**
   * Powertools log level (`POWERTOOLS_LOG_LEVEL`): each request's line is INFO, degraded paths WARN, 5xx ERROR.
   *
   * @default 'INFO'
   */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

  /**
   * X-Ray active tracing: Lambda samples invocations and the function's Powertools Tracer adds its AWS SDK calls.
   *
   * @default true
   */
  readonly tracing?: boolean;

  /**
   * Concurrent executions reserved for (and capping) this function.
   *
   * @default - none reserved: the account's unreserved pool
   */
  readonly reservedConcurrency?: number;

  /**
   * CloudWatch namespace of the function's embedded-format metrics (`POWERTOOLS_METRICS_NAMESPACE`).
   *
   * @default 'SessionDirectory'
   */
  readonly metricsNamespace?: string;

  /**
   * The repository root: esbuild's working directory and where `entry`, `templatesDir` and `package-lock.json` are
   * looked up.
   *
   * @default - the directory two levels above this file
   */
  readonly projectRoot?: string;

  /**
   * Folder of session template JSON files (one per SCID), relative to `projectRoot`, copied into the bundle as
   * `templates/`. Bundling fails if it is missing, so a deployment can never come up without its templates; an empty
   * folder is copied as it is.
   *
   * @default 'lambda/templates'
   */
  readonly templatesDir?: string;

  /**
   * Whether the function needs the session templates: bundled as `templates/` and named by `SESSION_TEMPLATES_DIR`.
   * The real-time activity functions read no template.
   *
   * @default true
   */
  readonly withTemplates?: boolean;

  /**
   * Other folders copied into the package, each repository-relative folder under its name there (the session
   * explorer's files: `{ 'lambda/explorer': 'explorer' }`). Bundling fails if one is missing.
   *
   * @default - none
   */
  readonly bundledFolders?: Readonly<Record<string, string>>;
}

/**
 * A session handler as a Node.js Lambda function, with the house defaults: Node.js 22 on Graviton (arm64), bundled
 * locally by esbuild (no Docker) into one minified ESM file with the AWS SDK inside and source maps, session templates
 * copied beside it, a log group with a finite retention, a role that may write only that log group, X-Ray active
 * tracing and the Powertools settings.
 */
export class SessionFunction extends Construct {
  /** The Lambda function; grant access to it and integrate it through this. */
  public readonly function: NodejsFunction;

  /** The function's log group (the only one its role may write to). */
  public readonly logGroup: LogGroup;

  /** How long one invocation may run (the duration alarm fires at 80 % of it). */
  public readonly timeout: Duration;

  public constructor(scope: Construct, id: string, props: SessionFunctionProps) {
    super(scope, id);

    const projectRoot = props.projectRoot ?? DEFAULT_PROJECT_ROOT;
    const templatesDir = props.templatesDir ?? 'lambda/templates';
    const timeout = props.timeout ?? Duration.seconds(15);
    this.timeout = timeout;
    if (
      (props.behindApi ?? true) &&
      !Token.isUnresolved(timeout.toSeconds()) &&
      timeout.toSeconds() >= API_GATEWAY_INTEGRATION_LIMIT_SECONDS
    ) {
      throw new Error(
        `SessionFunction ${id}: timeout must be below API Gateway's ${API_GATEWAY_INTEGRATION_LIMIT_SECONDS} s integration limit, got ${timeout.toSeconds()} s`,
      );
    }

    // An explicit log group rather than `logRetention`: the latter adds a custom-resource Lambda to the stack only to
    // set a retention that CloudFormation can set directly. Logs are diagnostics that expire anyway, so they go with
    // the stack.
    const logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.logGroup = logGroup;

    // A role of its own instead of the one NodejsFunction makes: that one carries AWSLambdaBasicExecutionRole, which
    // may write to every log group in the account. This one may write only to the function's own log group (its
    // streams are `<group ARN>:*`, which the log group's ARN attribute already ends in); the stack adds each
    // function's table and secret grants to it, and Lambda adds X-Ray's two actions when tracing is on.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the session directory function ${id}`,
    });
    role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );

    const withTemplates = props.withTemplates ?? true;
    const commandHooks: ICommandHooks = {
      beforeInstall: () => [],
      beforeBundling: () => [],
      // Templates are configuration loaded once per container from SESSION_TEMPLATES_DIR (DESIGN.md), so they travel
      // inside the package. Local bundling only (POSIX `cp`); with Docker inputDir would be the container's view.
      afterBundling: (inputDir: string, outputDir: string) => [
        ...(withTemplates
          ? [`cp -R "${path.join(inputDir, templatesDir)}" "${path.join(outputDir, 'templates')}"`]
          : []),
        ...Object.entries(props.bundledFolders ?? {}).map(
          ([from, to]) => `cp -R "${path.join(inputDir, from)}" "${path.join(outputDir, to)}"`,
        ),
      ],
    };

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(projectRoot, props.entry),
      handler: 'handler',
      projectRoot,
      depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      // Graviton: about 20 % cheaper per GB-second, and nothing in the bundle is native code.
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout,
      logGroup,
      role,
      tracing: (props.tracing ?? true) ? Tracing.ACTIVE : Tracing.DISABLED,
      ...(props.reservedConcurrency === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrency }),
      environment: {
        ...(withTemplates ? { [RUNTIME_VARIABLES.templatesDir]: BUNDLED_TEMPLATES_DIR } : {}),
        // Stack traces in the logs point at the TypeScript sources; NodejsFunction does not set this by itself.
        [NODE_OPTIONS_VARIABLE]: '--enable-source-maps',
        // Read by Powertools itself (Logger, Metrics, Tracer), not by the service's readers.
        [LIBRARY_VARIABLES.logLevel]: props.logLevel ?? 'INFO',
        [LIBRARY_VARIABLES.metricsNamespace]: props.metricsNamespace ?? 'SessionDirectory',
        ...((props.tracing ?? true) ? {} : { [LIBRARY_VARIABLES.tracerDisabled]: 'true' }),
        ...props.environment,
      },
      bundling: {
        // esbuild is a local dev dependency: bundling works offline and on machines without Docker.
        forceDockerBundling: false,
        target: 'node22',
        format: OutputFormat.ESM,
        // Prefer the ESM builds of dependencies: they tree-shake better than their CommonJS builds.
        mainFields: ['module', 'main'],
        // CommonJS dependencies bundled into ESM still call `require` (for Node built-ins); give them one.
        banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        minify: true,
        sourceMap: true,
        // The sources stay in the repository; the map only needs names and positions.
        sourcesContent: false,
        // A pinned SDK from package-lock.json, not whatever the runtime ships: measured at about 345 KB and 30 ms to
        // load (DESIGN.md), and behaviour does not change under us when AWS updates the runtime.
        bundleAwsSDK: true,
        // Packages replaced in every bundle (lambda/runtime/bundle-aliases.ts): the SDK's credential chain, reduced
        // to the environment, where Lambda puts the role's credentials.
        esbuildArgs: Object.fromEntries(
          Object.entries(BUNDLE_ALIASES).map(([name, replacement]) => [`--alias:${name}`, replacement]),
        ),
        commandHooks,
      },
    });

    acknowledgeFindings(
      this,
      ['AwsSolutions::AwsSolutions-L1', 'Serverless::Serverless-LambdaLatestVersion'],
      'One Node major for development, tests, CI and Lambda: Node.js 22 (LTS until 2027-04), which .ci/run installs; ' +
        'moving to 24 moves all four together (README, "One runtime").',
    );
    acknowledgeFindings(
      this,
      ['Serverless::Serverless-LambdaDLQ'],
      'A Lambda dead-letter queue only catches failed asynchronous invocations: the API functions are invoked ' +
        'synchronously (the caller gets the answer), the tap function by a stream event source with its own ' +
        'on-failure queue (TapDeadLetters), the sweeper by a schedule whose next minute redoes a missed sweep.',
    );
    if (props.tracing === false) {
      acknowledgeFindings(
        this,
        ['Serverless::Serverless-LambdaTracing'],
        'The stage turned tracing off (-c tracing=false), e.g. a load-test stage where every request would be a ' +
          'billed trace; logs and metrics remain.',
      );
    } else {
      acknowledgeFindings(
        this,
        ['AwsSolutions::AwsSolutions-IAM5[Resource::*]'],
        'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level ' +
          'permissions, so AWS offers nothing narrower than * (added by Lambda for Tracing.ACTIVE).',
      );
    }
  }
}
