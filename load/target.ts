/**
 * Where the load goes and how its players sign their tokens. The local service is the only target used without
 * asking; a deployed stage needs an explicit `--target https://...` and its token secret, given with `--secret` or
 * read from the stack's outputs with the AWS CLI the user already has (never anything else by default).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DEVELOPMENT_TOKEN_SECRET } from '../lambda/auth/development-token';
import { type LoadOptions, UsageError } from './options';

export interface ResolvedTarget {
  /** Base URL without a trailing slash. */
  readonly baseUrl: string;
  readonly loopback: boolean;
  readonly secret: string;
  /** Where the secret came from, for the report (never the secret itself). */
  readonly secretSource: 'development secret' | '--secret' | `stack ${string}`;
  readonly rtaUrl?: string;
  readonly issuer?: string;
  readonly audience?: string;
}

/** Runs a command and answers its stdout: the AWS CLI here, a fake in tests. */
export type CommandRunner = (command: string, args: readonly string[]) => Promise<string>;

const runCommand: CommandRunner = async (command, args) => {
  const { stdout } = await promisify(execFile)(command, [...args], { maxBuffer: 1 << 20 });
  return stdout;
};

/** This machine: 127.0.0.0/8, localhost or [::1]. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** The RTA endpoint `npm start` serves on the HTTP server's port. */
function localRtaUrl(base: URL): string {
  return `${base.protocol === 'https:' ? 'wss:' : 'ws:'}//${base.host}/connect`;
}

interface StackOutputs {
  readonly ApiUrl?: string;
  readonly TokenSecretArn?: string;
  readonly RealTimeUrl?: string;
}

async function readStackOutputs(stack: string, region: string | undefined, run: CommandRunner): Promise<StackOutputs> {
  const regionArgs = region === undefined ? [] : ['--region', region];
  let text: string;
  try {
    text = await run('aws', [
      'cloudformation',
      'describe-stacks',
      '--stack-name',
      stack,
      '--query',
      'Stacks[0].Outputs',
      '--output',
      'json',
      ...regionArgs,
    ]);
  } catch (error) {
    throw new UsageError(
      `Could not read the outputs of stack "${stack}" with the AWS CLI: ${(error as Error).message}`,
    );
  }
  const outputs = JSON.parse(text) as { OutputKey: string; OutputValue: string }[] | null;
  return Object.fromEntries((outputs ?? []).map((o) => [o.OutputKey, o.OutputValue])) as StackOutputs;
}

async function readSecret(arn: string, region: string | undefined, run: CommandRunner): Promise<string> {
  const regionArgs = region === undefined ? [] : ['--region', region];
  try {
    const text = await run('aws', [
      'secretsmanager',
      'get-secret-value',
      '--secret-id',
      arn,
      '--query',
      'SecretString',
      '--output',
      'text',
      ...regionArgs,
    ]);
    return text.trim();
  } catch (error) {
    throw new UsageError(`Could not read the token secret ${arn} with the AWS CLI: ${(error as Error).message}`);
  }
}

/**
 * Checks the target against the rules above and finds its secret and RTA URL. Throws {@link UsageError} (nothing
 * sent) for a non-loopback target without https or without a secret, or a stack whose API is another URL.
 */
export async function resolveTarget(
  options: Pick<LoadOptions, 'target' | 'secret' | 'stack' | 'region' | 'rtaUrl' | 'issuer' | 'audience'>,
  run: CommandRunner = runCommand,
): Promise<ResolvedTarget> {
  let base: URL;
  try {
    base = new URL(options.target);
  } catch {
    throw new UsageError(`--target must be a URL such as http://127.0.0.1:8080, not "${options.target}".`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new UsageError(`--target must be http:// or https://, not ${base.protocol}`);
  }
  if (base.search !== '' || base.hash !== '' || base.username !== '' || base.password !== '') {
    throw new UsageError('--target is a base URL: no query, fragment or user name.');
  }
  const baseUrl = `${base.origin}${base.pathname}`.replace(/\/+$/, '');
  const loopback = isLoopbackHost(base.hostname);
  if (!loopback) {
    if (base.protocol !== 'https:') {
      throw new UsageError(`A target other than this machine must be https://, not ${options.target}.`);
    }
    if (options.secret === undefined && options.stack === undefined) {
      throw new UsageError(
        `A deployed stage (${base.host}) needs its token secret: --secret <secret>, or --stack <name> to read it ` +
          'from the stack outputs with the AWS CLI. The development secret is refused by every deployed stage.',
      );
    }
  }
  const claims = {
    ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
    ...(options.audience === undefined ? {} : { audience: options.audience }),
  };
  if (options.stack !== undefined) {
    const outputs = await readStackOutputs(options.stack, options.region, run);
    if (outputs.ApiUrl !== undefined && outputs.ApiUrl.replace(/\/+$/, '') !== baseUrl) {
      throw new UsageError(
        `--target ${baseUrl} is not the API of stack "${options.stack}" (its ApiUrl is ${outputs.ApiUrl}).`,
      );
    }
    let secret = options.secret;
    if (secret === undefined) {
      if (outputs.TokenSecretArn === undefined) {
        throw new UsageError(`Stack "${options.stack}" has no TokenSecretArn output (deployed with a JWKS URL?).`);
      }
      secret = await readSecret(outputs.TokenSecretArn, options.region, run);
    }
    const rtaUrl = options.rtaUrl ?? outputs.RealTimeUrl;
    return {
      baseUrl,
      loopback,
      secret,
      secretSource: options.secret === undefined ? `stack ${options.stack}` : '--secret',
      ...(rtaUrl === undefined ? {} : { rtaUrl }),
      ...claims,
    };
  }
  const rtaUrl = options.rtaUrl ?? (loopback ? localRtaUrl(base) : undefined);
  return {
    baseUrl,
    loopback,
    secret: options.secret ?? DEVELOPMENT_TOKEN_SECRET,
    secretSource: options.secret === undefined ? 'development secret' : '--secret',
    ...(rtaUrl === undefined ? {} : { rtaUrl }),
    ...claims,
  };
}
