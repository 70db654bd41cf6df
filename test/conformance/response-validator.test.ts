import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  API_GATEWAY_NOT_FOUND_BODY,
  responseProblems,
  sessionDocumentProblems,
} from '../support/mpsd-response-validator';

const REAL = path.resolve(
  __dirname,
  '../../../shared/spec/client-captures/real-service-sanitized/minecraftlobby-get-response.normalized.json',
);

// biome-ignore lint/suspicious/noExplicitAny: fixtures are arbitrary JSON
type Doc = any;
const real = (): Doc => JSON.parse(readFileSync(REAL, 'utf8'));

describe('the §2.2/§9.8 response validator', () => {
  it('accepts the real MinecraftLobby GET response from the live service', () => {
    expect(sessionDocumentProblems(real())).toEqual([]);
  });

  it.each([
    ['a missing constants', (d: Doc) => delete d.constants, /constants is missing/],
    ['a properties without custom', (d: Doc) => delete d.properties.custom, /properties.custom is missing/],
    ['a numeric xuid', (d: Doc) => (d.members['0'].constants.system.xuid = 123), /xuid must be a decimal string/],
    ['a null timeout', (d: Doc) => (d.constants.system.sessionEmptyTimeout = null), /sessionEmptyTimeout is null/],
    ['a broken member chain', (d: Doc) => (d.members['0'].next = 5), /chain|next/],
    ['a wrong membersInfo.count', (d: Doc) => (d.membersInfo.count = 2), /membersInfo.count/],
    ['a missing membersInfo.active', (d: Doc) => delete d.membersInfo.active, /membersInfo.active is missing/],
    ['a string boolean', (d: Doc) => (d.members['0'].properties.system.active = 'true'), /JSON boolean/],
    ['a non-ISO joinTime', (d: Doc) => (d.members['0'].joinTime = '10/10/2025'), /ISO 8601/],
    ['a string changeNumber', (d: Doc) => (d.changeNumber = '3'), /changeNumber must be a JSON integer/],
    [
      'a member without properties.system',
      (d: Doc) => delete d.members['0'].properties.system,
      /properties.system is missing/,
    ],
    ['a 104 shape answered to 107', (d: Doc) => (d.constants.system.timeouts = { inactive: 0 }), /104\/105 only/],
  ])('rejects %s', (_name, breakIt, problem) => {
    const doc = real();
    breakIt(doc);
    expect(sessionDocumentProblems(doc).join('\n')).toMatch(problem);
  });
});

describe('responseProblems', () => {
  it("accepts API Gateway's own 404 for an unrouted request, and only that error without a code", () => {
    expect(
      responseProblems({
        status: 404,
        headers: new Headers(),
        text: API_GATEWAY_NOT_FOUND_BODY,
        json: { message: 'Not Found' },
      }),
    ).toEqual([]);
    expect(
      responseProblems({
        status: 400,
        headers: new Headers(),
        text: API_GATEWAY_NOT_FOUND_BODY,
        json: { message: 'Not Found' },
      }),
    ).toEqual([expect.stringContaining('must carry {"code","message"}')]);
  });
});
