import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseExactJson } from '../../lambda/domain/json';
import { applySessionRequest } from '../../lambda/domain/session/apply-request';
import { renderSession } from '../../lambda/domain/session/render';
import { readServiceConfig } from '../../lambda/domain/templates';
import { startTestService, type TestService } from '../support/local-service';
import { CheckedSessionClient, sessionDocumentProblems } from '../support/mpsd-response-validator';
import { SAMPLE_SCID } from '../support/session-client';

// The documented examples of spec/examples/ where they apply to the session resource: every documented template
// creates a session (or is refused for a documented reason), and the documented PUT bodies do what the docs say.

const EXAMPLES = path.resolve(__dirname, '../../../shared/spec/examples');
const read = (file: string) => parseExactJson(readFileSync(path.join(EXAMPLES, file), 'utf8'));
const text = (file: string) => readFileSync(path.join(EXAMPLES, file), 'utf8');

/** Documented templates this service refuses at load, and why (each is in the README). */
const REFUSED_TEMPLATES: Record<string, RegExp> = {
  // maxMembersCount 2000: large sessions are capped at 1,000 here (spec §7 contradiction 2: 1,000 vs 10,000).
  'docs-template-large-session-legacy-timeouts.json': /maxMembersCount must be an integer from 1 to 1000/,
  // ownerManaged true: the same page says it "can only be true on sessions with the hasOwners capability set"
  // (spec §2.11), and the fragment alone has no capabilities.
  'docs-template-role-types.json': /ownerManaged can be true only on sessions with the hasOwners capability/,
};

describe('documented session templates (examples/docs-template-*.json)', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.startsWith('docs-template-'));

  it.each(files)('%s loads and creates a session whose rendering clients can read, or is refused at load', (file) => {
    const body = read(file) as Record<string, unknown>;
    const legacy = /"timeouts"|managedInitialization/.test(text(file));
    const load = () =>
      readServiceConfig(file, {
        templates: { t: { contractVersion: legacy ? 105 : 107, constants: { system: {}, custom: {} }, ...body } },
      } as never);
    const refused = REFUSED_TEMPLATES[file];
    if (refused !== undefined) {
      // Refused when the template is loaded, naming the file, the template and the rule.
      expect(load).toThrow(new RegExp(`^${file}: template "t": .*${refused.source}`));
      return;
    }
    const template = load().get('t');
    if (template === undefined) throw new Error('template not read');
    const init = (template.constants.system.memberInitialization ?? {}) as { membersNeededToStart?: number };
    const needed = init.membersNeededToStart ?? 1;
    const members: Record<string, unknown> = {
      me: { constants: { system: { initialize: true } }, properties: { system: { active: true } } },
    };
    for (let i = 1; i < needed; i += 1)
      members[`reserve_${i - 1}`] = { constants: { system: { xuid: String(200 + i), initialize: true } } };
    let guid = 0;
    const run = () =>
      applySessionRequest(undefined, { members } as never, {
        principal: { xuid: '100', isServer: false },
        template,
        now: Date.parse('2026-01-01T00:00:00Z'),
        contractVersion: 107,
        newGuid: () => `guid-${++guid}`,
      });
    const outcome = run();
    if (outcome.kind !== 'created') throw new Error(`expected created, got ${outcome.kind}`);
    for (const version of [107, 105] as const) {
      expect(
        sessionDocumentProblems(
          renderSession(outcome.session, { contractVersion: version, callerXuid: '100' }),
          version,
        ),
      ).toEqual([]);
    }
  });
});

describe('documented PUT bodies over HTTP', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(() => service.close());
  const as = (xuid: string) => new CheckedSessionClient(service.baseUrl, { xuid, gamertag: `G${xuid}` });

  it('docs-put-create-or-join-request: a creation that reserves a seat for another user', async () => {
    const r = await as('100').put(
      SAMPLE_SCID,
      'open',
      'docs-create-or-join',
      text('docs-put-create-or-join-request.json'),
    );
    expect(r.status).toBe(201);
    expect(r.json.members['0']).toMatchObject({
      reserved: true,
      constants: { system: { xuid: '5500461' }, custom: { type: 'leader' } },
    });
    expect(r.json.properties.custom).toEqual({ KANWE: 'MGMSY' });
    expect(r.json.membersInfo).toEqual({ first: 0, next: 1, count: 1, accepted: 0, active: 0 });
  });

  it('docs-put-join-match-ticket-session-request: a numeric xuid is accepted and rendered as a string', async () => {
    const r = await as('2535285330879750').put(
      SAMPLE_SCID,
      'forever',
      'docs-ticket',
      text('docs-put-join-match-ticket-session-request.json'),
    );
    expect(r.status).toBe(201);
    expect(r.json.members['0'].constants.system.xuid).toBe('2535285330879750');
    expect(r.json.members['0'].properties.custom).toEqual({ matchAttrs: { skill: 5, ageRange: 'teenager' } });
  });

  it('docs-put-large-session-groups/encounters-request: groups are kept, encounters consumed; only "me" is listed', async () => {
    const create = {
      constants: { system: { maxMembersCount: 500, capabilities: { large: true } } },
      members: { me: { properties: { system: { active: true } } } },
    };
    expect((await as('100').put(SAMPLE_SCID, 'open', 'docs-large', create)).status).toBe(201);
    await as('101').put(SAMPLE_SCID, 'open', 'docs-large', { members: create.members });
    const groups = await as('100').put(
      SAMPLE_SCID,
      'open',
      'docs-large',
      text('docs-put-large-session-groups-request.json'),
    );
    expect(groups.json.members).toEqual({
      me: expect.objectContaining({ properties: { system: { active: true, groups: ['boffins-posse'] }, custom: {} } }),
    });
    expect(groups.json.membersInfo.count).toBe(2);
    const encounters = await as('100').put(
      SAMPLE_SCID,
      'open',
      'docs-large',
      text('docs-put-large-session-encounters-request.json'),
    );
    expect(encounters.status).toBe(200);
    expect(encounters.json.members.me.properties.system).not.toHaveProperty('encounters');
  });

  it('docs-put-properties-subresource-request: as the properties of a session PUT it changes nothing', async () => {
    const first = await as('100').put(SAMPLE_SCID, 'open', 'docs-props', {
      members: { me: { properties: { system: { active: true } } } },
    });
    const body = `{"properties":${text('docs-put-properties-subresource-request.json')}}`;
    const r = await as('100').put(SAMPLE_SCID, 'open', 'docs-props', body);
    expect([r.status, r.json.changeNumber]).toEqual([200, first.json.changeNumber]);
  });
});
