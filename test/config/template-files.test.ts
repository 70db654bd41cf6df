import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadTemplateCatalogue } from '../../lambda/config/template-files';
import { applySessionRequest } from '../../lambda/domain/session/apply-request';
import { parseSessionReference } from '../../lambda/domain/session-reference';
import { resolveTemplate } from '../../lambda/domain/templates';
import { handler as putSession } from '../../lambda/functions/put-session';

// Session templates are configuration checked at load by the rules of a creating PUT (issue 8 item 13): a bad
// template stops start-up, naming the file, the template and the rule, instead of making every creating PUT 400.

const SHIPPED = path.resolve(__dirname, '../../lambda/templates');
const SCID = '11111111-2222-3333-4444-555555555555';

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'templates-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

/** Writes `<SCID>.json` holding one template named `bad` with the given body; returns the file's path. */
function writeTemplate(body: unknown, name = 'bad'): string {
  const file = path.join(folder, `${SCID}.json`);
  writeFileSync(file, JSON.stringify({ templates: { [name]: body } }));
  return file;
}

const system = (fields: Record<string, unknown>) => ({
  contractVersion: 107,
  constants: { system: { version: 1, ...fields }, custom: {} },
});

describe('the shipped templates (lambda/templates)', () => {
  const files = readdirSync(SHIPPED).filter((f) => f.endsWith('.json'));

  it('are at least the two sample service configs', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        '00000000-0000-0000-0000-00006c6f6361.json',
        '4fc10100-5f7a-4470-899b-280835760c07.json',
      ]),
    );
  });

  it.each(files)('%s loads, and each of its templates creates a session', (file) => {
    const catalogue = loadTemplateCatalogue(SHIPPED);
    const scid = path.basename(file, '.json');
    const names = Object.keys(JSON.parse(readFileSync(path.join(SHIPPED, file), 'utf8')).templates);
    expect([...(catalogue.get(scid.toLowerCase())?.keys() ?? [])]).toEqual(names.map((n) => n.toLowerCase()));
    for (const name of names) {
      const template = resolveTemplate(catalogue, parseSessionReference(scid, name, 'load-check'));
      // A creation with as many initializing members as the template needs to start (spec §2.9).
      const init = template.constants.system.memberInitialization as { membersNeededToStart?: number } | undefined;
      const members: Record<string, unknown> = {
        me: { constants: { system: { initialize: true } }, properties: { system: { active: true } } },
      };
      for (let i = 1; i < (init?.membersNeededToStart ?? 1); i += 1) {
        members[`reserve_${i - 1}`] = { constants: { system: { xuid: String(3000 + i), initialize: true } } };
      }
      const outcome = applySessionRequest(undefined, { members } as never, {
        principal: { xuid: '2533274790395904', isServer: false },
        template,
        now: Date.parse('2026-11-29T00:00:00Z'),
        contractVersion: 107,
        newGuid: () => '00000000-0000-0000-0000-000000000001',
      });
      expect(outcome.kind).toBe('created');
    }
  });
});

describe('a bad template stops loading, naming the file, the template and the rule', () => {
  it.each<[string, unknown, RegExp]>([
    [
      'a visibility MPSD does not know',
      system({ visibility: 'friends' }),
      /constants\.system\.visibility must be one of "private", "visible", "open"/,
    ],
    [
      'maxMembersCount over 100 without large',
      system({ maxMembersCount: 5000 }),
      /constants\.system\.maxMembersCount must be an integer from 1 to 100\b/,
    ],
    [
      'maxMembersCount over 1,000 with large',
      system({ maxMembersCount: 5000, capabilities: { large: true } }),
      /constants\.system\.maxMembersCount must be an integer from 1 to 1000/,
    ],
    [
      'an unknown system constant',
      system({ maxMembers: 8 }),
      /constants\.system\.maxMembers is not a field MPSD knows/,
    ],
    ['a timeout that is not an integer', system({ reservedRemovalTimeout: 'soon' }), /reservedRemovalTimeout must be/],
    [
      'metrics without connectivity',
      system({ metrics: { latency: true } }),
      /constants\.system\.metrics needs the connectivity capability/,
    ],
    [
      'a capability conflict',
      system({ capabilities: { broadcast: true } }),
      /capabilities break a documented rule: broadcast needs large/,
    ],
    [
      'membersNeededToStart above maxMembersCount',
      system({ maxMembersCount: 4, memberInitialization: { membersNeededToStart: 5 } }),
      /membersNeededToStart must be from 0 to maxMembersCount \(4\)/,
    ],
    [
      'an unsupported contract version',
      { ...system({}), contractVersion: 106 },
      /contractVersion must be one of 104, 105, 107, not 106/,
    ],
    [
      'a 105 template with an unknown legacy timeout',
      { contractVersion: 105, constants: { system: { version: 1, timeouts: { reservd: 1 } } } },
      /constants\.system\.timeouts\.reservd is not a 104\/105 timeout/,
    ],
    ['no constants', { contractVersion: 107 }, /needs a "constants" object/],
    ['constants beside system and custom', { constants: { system: {}, sytem: {} } }, /constants\.sytem is not a field/],
    [
      'members in a template',
      { ...system({}), members: {} },
      /has a member "members"; a template holds only contractVersion, constants, roleTypes/,
    ],
    [
      'an owner-managed role type without hasOwners',
      { ...system({}), roleTypes: { lfg: { ownerManaged: true, roles: { friend: { max: 2 } } } } },
      /roleTypes\.lfg\.ownerManaged can be true only on sessions with the hasOwners capability/,
    ],
    [
      'a role name that is not lower-case alphanumeric',
      { ...system({}), roleTypes: { lfg: { roles: { Friend: { max: 2 } } } } },
      /roleTypes\.lfg\.roles names a role "Friend"; role names are lower-case letters and digits/,
    ],
    [
      'a role named __proto__',
      JSON.parse('{"constants":{"system":{}},"roleTypes":{"lfg":{"roles":{"__proto__":{"max":2}}}}}'),
      /roleTypes\.lfg\.roles names a role "__proto__"; role names are lower-case letters and digits/,
    ],
    [
      'a role whose target is above its max',
      { ...system({}), roleTypes: { lfg: { roles: { friend: { max: 2, target: 3 } } } } },
      /roleTypes\.lfg\.roles\.friend\.target must be an integer from 1 to 2/,
    ],
    [
      'a role max of 0',
      { ...system({}), roleTypes: { lfg: { roles: { friend: { max: 0 } } } } },
      /roleTypes\.lfg\.roles\.friend\.max must be an integer from 1 to 1000/,
    ],
    [
      'a mutable role setting other than max and target',
      { ...system({}), roleTypes: { lfg: { mutableRoleSettings: ['count'], roles: { friend: { max: 2 } } } } },
      /roleTypes\.lfg\.mutableRoleSettings must be an array of "max" and "target"/,
    ],
    [
      'a role type without roles',
      { ...system({}), roleTypes: { lfg: {} } },
      /roleTypes\.lfg\.roles must be a JSON object/,
    ],
  ])('%s', (_case, body, rule) => {
    const file = writeTemplate(body);
    const load = () => loadTemplateCatalogue(folder);
    expect(load).toThrow(`${file}: template "bad": `);
    expect(load).toThrow(rule);
  });

  it('a template name no URI can carry', () => {
    const file = writeTemplate(system({}), 'my lobby');
    expect(() => loadTemplateCatalogue(folder)).toThrow(
      `${file}: template "my lobby": The session template name "my lobby" has characters that are not allowed`,
    );
  });

  it('two template names that differ only in letter case', () => {
    const file = path.join(folder, `${SCID}.json`);
    writeFileSync(file, JSON.stringify({ templates: { Lobby: system({}), lobby: system({}) } }));
    expect(() => loadTemplateCatalogue(folder)).toThrow(
      `${file}: template "lobby": the name differs from template "Lobby" only in letter case`,
    );
  });

  it('a file that is not JSON, or has no templates object', () => {
    const file = path.join(folder, `${SCID}.json`);
    writeFileSync(file, '{"templates": {');
    expect(() => loadTemplateCatalogue(folder)).toThrow(`${file}: not valid JSON`);
    writeFileSync(file, '{"templtes": {}}');
    expect(() => loadTemplateCatalogue(folder)).toThrow(`${file}: expected an object with a "templates" object`);
  });

  it('a good template beside a bad one does not hide it', () => {
    const file = path.join(folder, `${SCID}.json`);
    writeFileSync(file, JSON.stringify({ templates: { good: system({}), broken: system({ visibility: 'friends' }) } }));
    expect(() => loadTemplateCatalogue(folder)).toThrow(`${file}: template "broken": constants.system.visibility`);
  });
});

describe('a Lambda cold start with a bad template', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('fails the invocation with an error naming the file, the template and the rule', async () => {
    const file = writeTemplate(system({ visibility: 'friends' }));
    Object.assign(process.env, {
      SESSION_TABLE_NAME: 'sessions',
      SESSION_TEMPLATES_DIR: folder,
      AWS_REGION: 'us-east-1',
      // A JWKS URL instead of a secret ARN: the cold start reads no secret, so nothing reaches AWS.
      TOKEN_JWKS_URL: 'https://issuer.invalid/.well-known/jwks.json',
      TOKEN_ISSUER: 'issuer',
      TOKEN_AUDIENCE: 'audience',
      RATE_LIMITS: 'off',
    });
    await expect(putSession({} as never)).rejects.toThrow(
      `${file}: template "bad": constants.system.visibility must be one of`,
    );
  });
});
