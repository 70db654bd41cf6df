import { sessionPathOf } from '../lambda/http/routes';

/** The sample player and session of the printed example. */
export const SAMPLE_XUID = '2533274790395904';
export const SAMPLE_GAMERTAG = 'DevPlayer1';
/**
 * The sample service config: lambda/templates/00000000-0000-0000-0000-00006c6f6361.json, the one home of the SCID
 * that the banner, the tests, the benchmarks and the load kit use.
 */
export const SAMPLE_SCID = '00000000-0000-0000-0000-00006c6f6361';
export const SAMPLE_TEMPLATE = 'lobby';
export const SAMPLE_SESSION_NAME = 'hello';

/** Create-and-join in one PUT (spec §1.4): the caller's own member, initialised and active. */
export const SAMPLE_JOIN_BODY = JSON.stringify({
  members: {
    me: {
      constants: { system: { xuid: SAMPLE_XUID, initialize: true } },
      properties: { system: { active: true } },
    },
  },
});

/** Quotes a word for bash: single quotes, with any single quote inside written as '\''. */
export function quoteForShell(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A curl command, pasteable into bash, that creates the sample session and joins it. */
export function formatSampleCurl(baseUrl: string, authorization: string): string {
  const url = `${baseUrl}${sessionPathOf({ scid: SAMPLE_SCID, templateName: SAMPLE_TEMPLATE, name: SAMPLE_SESSION_NAME })}`;
  return [
    'curl -i -X PUT',
    quoteForShell(url),
    '-H',
    quoteForShell('x-xbl-contract-version: 107'),
    '-H',
    quoteForShell('Content-Type: application/json'),
    '-H',
    quoteForShell(`Authorization: ${authorization}`),
    '--data-raw',
    quoteForShell(SAMPLE_JOIN_BODY),
  ].join(' ');
}

/** What `npm start` prints once it is ready. */
export function formatStartBanner(facts: {
  baseUrl: string;
  authorization: string;
  tokenLifetimeHours: number;
  storage: string;
}): string {
  return [
    `Session directory listening on ${facts.baseUrl}`,
    `Storage: ${facts.storage}`,
    '',
    `Development Authorization header (xuid ${SAMPLE_XUID}, gamertag ${SAMPLE_GAMERTAG}, valid ${facts.tokenLifetimeHours} h):`,
    facts.authorization,
    '',
    `Try it: create the session "${SAMPLE_SESSION_NAME}" and join it:`,
    formatSampleCurl(facts.baseUrl, facts.authorization),
    '',
    'Mint tokens for other players with: npm run -s token -- --xuid <xuid>',
    'Press Ctrl-C to stop.',
  ].join('\n');
}
