import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { DEVELOPMENT_TOKEN_SECRET } from '../../lambda/auth/development-token';
import { makeHmacTokenVerifier } from '../../lambda/auth/token-verifier';

// `npm run -s token` (local/mint-token.ts) holds its options to the service's own claim rules (CLAIM_RULES): it
// never mints a token the service would refuse (issue 8 item 12: `--xuid 0123` used to be minted, then refused).

const ROOT = path.resolve(__dirname, '../..');

async function mint(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'local/mint-token.ts', ...args],
      { cwd: ROOT },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

it('refuses options the service would refuse, naming the rule, and mints what it accepts', async () => {
  const [leadingZero, tooBig, title, gamertag, good] = await Promise.all([
    mint('--xuid', '0123'),
    mint('--xuid', '18446744073709551616'),
    mint('--xuid', '123', '--title-id', 'abc'),
    mint('--xuid', '123', '--gamertag', 'g'.repeat(48)),
    mint('--xuid', '123', '--gamertag', 'Player1', '--title-id', '1234567'),
  ]);
  for (const refused of [leadingZero, tooBig, title, gamertag]) {
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
  }
  expect(leadingZero.stderr).toMatch(/--xuid "0123" is refused by the service: The token's "xuid" claim must be/);
  expect(tooBig.stderr).toMatch(/"xuid" claim must be a decimal number from 1 to 18446744073709551615/);
  expect(title.stderr).toMatch(/--title-id "abc" is refused by the service: The token's "titleId" claim/);
  expect(gamertag.stderr).toMatch(/"gamertag" claim must be 1 to 47 bytes/);

  expect(good.code).toBe(0);
  const verify = makeHmacTokenVerifier({ secret: DEVELOPMENT_TOKEN_SECRET });
  expect(await verify(good.stdout.trim())).toEqual({
    isServer: false,
    xuid: '123',
    gamertag: 'Player1',
    titleId: '1234567',
  });
});
