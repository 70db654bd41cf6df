import type { SessionStore } from '../../lambda/store/session-store';
import { startTestService, type TestService } from '../support/local-service';
import { CheckedSessionClient } from '../support/mpsd-response-validator';
import { SAMPLE_SCID } from '../support/session-client';

// Issue 8 item 3: a GET applies due timers without storing them, so it answers a document no commit holds. Its ETag
// must name that document and nothing else (spec §7.1, DESIGN.md "One ETag always names exactly one document").
// The race is made deterministic with the injected clock and a store that holds a PUT's write until the GET has
// answered: no test here depends on timing.

const S = 1000;
let now = Math.floor(Date.now() / 1000) * 1000;
let service: TestService;
let seq = 0;

/** Holds the next write until released: the PUT has read and merged, but not yet committed. */
class WriteGate {
  private armed = false;
  private release: (() => void) | undefined;
  private onHeld: (() => void) | undefined;

  /** Holds the next write; resolves once a write is waiting at the gate. */
  arm(): Promise<void> {
    this.armed = true;
    return new Promise((resolve) => {
      this.onHeld = resolve;
    });
  }

  open(): void {
    this.release?.();
    this.release = undefined;
  }

  wrap(store: SessionStore): SessionStore {
    return {
      read: (key, options) => store.read(key, options),
      write: async (key, record, expected, options) => {
        if (this.armed) {
          this.armed = false;
          await new Promise<void>((resolve) => {
            this.release = resolve;
            this.onHeld?.();
          });
        }
        return store.write(key, record, expected, options);
      },
    };
  }
}

const gate = new WriteGate();

beforeAll(async () => {
  service = await startTestService({ clock: () => now, decorateStore: (store) => gate.wrap(store) });
});
afterAll(() => service.close());

const host = () =>
  new CheckedSessionClient(service.baseUrl, { xuid: '2533274800000001', gamertag: 'Host', titleId: '1739947436' });
const name = () => `timer-etag-${++seq}-${now}`;

/** A session whose reservation (reservedRemovalTimeout 30 s, the 107 default) is due at `start + 30 s`. */
async function sessionWithReservation(n: string) {
  const created = await host().put(SAMPLE_SCID, 'open', n, {
    members: {
      me: { properties: { system: { active: true } } },
      reserve_0: { constants: { system: { xuid: '2533274800000009' } } },
    },
  });
  expect(created.status).toBe(201);
  return created;
}

describe('ETags of timer views (spec §2.4, §7.1)', () => {
  it('a GET that fires a timer and a racing PUT that commits the same change number answer different ETags, and If-Match with the GET’s ETag is 412', async () => {
    const n = name();
    const start = now;
    const created = await sessionWithReservation(n);

    // The PUT reads and merges one second before the reservation is due, then waits at the gate.
    now = start + 29 * S;
    const held = gate.arm();
    const racingPut = host().put(SAMPLE_SCID, 'open', n, { properties: { custom: { raced: 1 } } });
    await held;

    // Meanwhile the reservation falls due and a GET answers the session without it.
    now = start + 30 * S;
    const read = await host().get(SAMPLE_SCID, 'open', n);
    expect(read.status).toBe(200);
    expect(read.json.membersInfo.count).toBe(1);
    expect(read.json.changeNumber).toBe(created.json.changeNumber + 1);

    gate.open();
    const put = await racingPut;
    expect(put.status).toBe(200);
    // The PUT committed the same change number with other content: the reservation is still in it.
    expect(put.json.changeNumber).toBe(read.json.changeNumber);
    expect(put.json.membersInfo.count).toBe(2);
    expect(put.headers.get('etag')).not.toBe(read.headers.get('etag'));

    // The GET's ETag named a document that was never stored: If-Match with it fails and changes nothing.
    const conditional = await host().put(
      SAMPLE_SCID,
      'open',
      n,
      { properties: { custom: { conditional: 1 } } },
      { headers: { 'if-match': read.headers.get('etag') as string } },
    );
    expect(conditional.status).toBe(412);
    expect(conditional.json.properties.custom).toEqual({ raced: 1 });
    expect(conditional.headers.get('etag')).not.toBe(read.headers.get('etag'));
  });

  it('repeated GETs of the same timer view carry one ETag (304 with If-None-Match), and If-Match with it writes onto that view', async () => {
    const n = name();
    const start = now;
    const created = await sessionWithReservation(n);
    now = start + 30 * S;
    const first = await host().get(SAMPLE_SCID, 'open', n);
    const etag = first.headers.get('etag') as string;
    expect(etag).not.toBe(created.headers.get('etag'));
    now = start + 45 * S;
    const second = await host().get(SAMPLE_SCID, 'open', n);
    expect([second.headers.get('etag'), second.text]).toEqual([etag, first.text]);
    const again = await host().get(SAMPLE_SCID, 'open', n, { headers: { 'if-none-match': etag } });
    expect([again.status, again.headers.get('etag')]).toEqual([304, etag]);

    const written = await host().put(
      SAMPLE_SCID,
      'open',
      n,
      { properties: { custom: { after: 1 } } },
      { headers: { 'if-match': etag } },
    );
    expect(written.status).toBe(200);
    expect(written.json.membersInfo.count).toBe(1);
    expect(written.json.changeNumber).toBe(first.json.changeNumber + 1);
    expect(written.headers.get('etag')).not.toBe(etag);
    // Now committed: the GET answers the commit itself, under the PUT's ETag.
    const committed = await host().get(SAMPLE_SCID, 'open', n);
    expect(committed.headers.get('etag')).toBe(written.headers.get('etag'));
  });

  it('a nocommit answer after a timer fired has an ETag that matches no commit', async () => {
    const n = name();
    const start = now;
    await sessionWithReservation(n);
    now = start + 30 * S;
    const preview = await host().put(
      SAMPLE_SCID,
      'open',
      n,
      { properties: { custom: { p: 1 } } },
      { query: 'nocommit=true' },
    );
    expect(preview.status).toBe(200);
    const read = await host().get(SAMPLE_SCID, 'open', n);
    expect(preview.headers.get('etag')).not.toBe(read.headers.get('etag'));
    const refused = await host().put(
      SAMPLE_SCID,
      'open',
      n,
      { properties: { custom: { q: 1 } } },
      { headers: { 'if-match': preview.headers.get('etag') as string } },
    );
    expect(refused.status).toBe(412);
  });
});
