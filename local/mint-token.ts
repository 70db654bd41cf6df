// `npm run -s token -- --xuid <n> ...`: prints a development Authorization header value, and nothing else, on stdout
// so that it can be captured: AUTH=$(npm run -s token -- --xuid 2533274790395904).
import { parseArgs } from 'node:util';
import { DEFAULT_TOKEN_LIFETIME_SECONDS, mintToken } from '../lambda/auth/development-token';
import { claimProblem, type IdentityClaim, type TokenClaims } from '../lambda/auth/token-claims';
import { runCommand } from '../tools/run-command';

const USAGE = `Usage: npm run -s token -- --xuid <xuid> [options]
       npm run -s token -- --server [options]

Prints an Authorization header value (XBL3.0 x=<userhash>;<token>) on stdout.

  --xuid <digits>         the player's xuid, 1 to 18446744073709551615 (required unless --server)
  --gamertag <name>       the player's gamertag (at most 47 bytes of UTF-8)
  --title-id <id>         the title id claim (decimal, at most 4294967295)
  --device-id <id>        the device id claim
  --server                a server principal (may write "servers" and act on members by index)
  --expires-in <seconds>  lifetime (default ${DEFAULT_TOKEN_LIFETIME_SECONDS}, 24 h)
  --secret <secret>       signing secret (default: the local development secret)
  --issuer <iss>          iss claim, for a deployment configured with tokenIssuer
  --audience <aud>        aud claim, for a deployment configured with tokenAudience
  --help                  this text`;

/** Each identity claim and the option that sets it. */
const CLAIM_OPTIONS: readonly [IdentityClaim, string][] = [
  ['xuid', 'xuid'],
  ['gamertag', 'gamertag'],
  ['titleId', 'title-id'],
  ['deviceId', 'device-id'],
];

/** A mistake in the command line: reported with the usage, exit status 2. */
class UsageError extends Error {}

interface MintRequest {
  claims: TokenClaims;
  options: { expiresInSeconds: number; secret?: string; issuer?: string; audience?: string };
}

function parseCommandLine(args: string[]): MintRequest | 'help' {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(args).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  if (values.xuid === undefined && !values.server) throw new UsageError('Give --xuid <digits> (or --server).');
  let expiresInSeconds = DEFAULT_TOKEN_LIFETIME_SECONDS;
  if (values['expires-in'] !== undefined) {
    expiresInSeconds = Number(values['expires-in']);
    if (!Number.isInteger(expiresInSeconds) || expiresInSeconds <= 0) {
      throw new UsageError(`--expires-in must be a positive whole number of seconds, not "${values['expires-in']}".`);
    }
  }
  const claims: TokenClaims = {};
  if (values.xuid !== undefined) claims.xuid = values.xuid;
  if (values.gamertag !== undefined) claims.gamertag = values.gamertag;
  if (values['title-id'] !== undefined) claims.titleId = values['title-id'];
  if (values['device-id'] !== undefined) claims.deviceId = values['device-id'];
  if (values.server) claims.server = true;
  // The service's own claim rules: a token it would refuse is never minted.
  for (const [name, option] of CLAIM_OPTIONS) {
    const value = claims[name];
    const problem = value === undefined ? undefined : claimProblem(name, value);
    if (problem !== undefined) throw new UsageError(`--${option} "${value}" is refused by the service: ${problem}`);
  }
  return {
    claims,
    options: {
      expiresInSeconds,
      ...(values.secret === undefined ? {} : { secret: values.secret }),
      ...(values.issuer === undefined ? {} : { issuer: values.issuer }),
      ...(values.audience === undefined ? {} : { audience: values.audience }),
    },
  };
}

function parse(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      xuid: { type: 'string' },
      gamertag: { type: 'string' },
      'title-id': { type: 'string' },
      'device-id': { type: 'string' },
      server: { type: 'boolean' },
      'expires-in': { type: 'string' },
      secret: { type: 'string' },
      issuer: { type: 'string' },
      audience: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
}

async function main(): Promise<number> {
  let request: MintRequest | 'help';
  try {
    request = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (request === 'help') {
    // Usage goes to stderr even here: stdout carries only the header value.
    process.stderr.write(`${USAGE}\n`);
    return 0;
  }
  process.stdout.write(`${await mintToken(request.claims, request.options)}\n`);
  return 0;
}

runCommand(main, { status: 2 });
