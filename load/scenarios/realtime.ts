/**
 * `realtime`: every player opens an RTA socket and subscribes (family spec §6), joins its party's lobby with the
 * ConnectionId and a subscription to every change, as XSAPI does, then writes its own member property over and
 * over (every --think ms, 500 by default). Each write taps every member's socket; each tap is counted and timed from
 * the moment the write that caused it (the same session, branch and changeNumber) was sent. Members stay until the
 * sessions are read back, then the sockets close.
 */
import type { TapRecord } from '../invariants';
import { Player, type SessionRef } from '../player';
import { RtaSocket } from '../rta-socket';
import type { RunContext } from '../run-context';
import { LOBBY_TEMPLATE } from './lobby';
import type { Scenario } from './scenario';

/** After the load: taps still arriving are waited for until none came for this long (ms)... */
const TAP_QUIET_MS = 2000;
/** ...or this long has passed (ms). A tap later than that counts as missed. */
const TAP_DRAIN_MAX_MS = 15_000;

interface Seat {
  readonly player: Player;
  readonly socket: RtaSocket;
  readonly session: SessionRef;
}

async function openSeat(run: RunContext, player: Player, session: SessionRef, url: string): Promise<Seat | undefined> {
  const startedAt = run.now();
  try {
    const socket = await RtaSocket.open(url, player.authorization, () => run.now(), 30_000);
    run.recorder.record('rta-subscribe', 101, run.now() - startedAt, run.now(), false);
    return { player, socket, session };
  } catch {
    run.recorder.record('rta-subscribe', 'error', run.now() - startedAt, run.now(), true);
    return undefined;
  }
}

/** Waits until no tap arrived for {@link TAP_QUIET_MS}, at most {@link TAP_DRAIN_MAX_MS}. */
async function drainTaps(run: RunContext, sockets: readonly RtaSocket[]): Promise<void> {
  const until = run.now() + TAP_DRAIN_MAX_MS;
  let seen = -1;
  for (;;) {
    const count = sockets.reduce((sum, s) => sum + s.taps.length, 0);
    if (count === seen || run.now() >= until) return;
    seen = count;
    await new Promise((resolve) => setTimeout(resolve, TAP_QUIET_MS));
  }
}

export const realtimeScenario: Scenario = async (run, options) => {
  const url = run.target.rtaUrl;
  if (url === undefined) throw new Error('realtime needs the RTA URL: --rta-url <wss://...> or --stack <name>.');
  const parties = Math.max(1, Math.floor(options.players / options.lobbySize));
  const seats: Seat[] = [];
  let nextPlayer = 0;
  await Promise.all(
    Array.from({ length: parties }, async (_, partyIndex) => {
      const session = { template: LOBBY_TEMPLATE, name: `load-${run.runId}-rt-${partyIndex}` };
      const players = await Promise.all(
        Array.from({ length: options.lobbySize }, () => Player.create(run, run.playerXuid(nextPlayer++))),
      );
      const opened = (await Promise.all(players.map((p) => openSeat(run, p, session, url)))).filter(
        (seat): seat is Seat => seat !== undefined,
      );
      seats.push(...opened);
      const [host, ...guests] = opened;
      if (host === undefined) return;
      const created = await host.player.join(session, { operation: 'create', connection: host.socket.connectionId });
      if (created?.status !== 201 && created?.status !== 200) return;
      const members = [host];
      await Promise.all(
        guests.map(async (guest) => {
          const answer = await guest.player.join(session, { connection: guest.socket.connectionId });
          if (answer?.status === 200 || answer?.status === 201) members.push(guest);
        }),
      );
      await Promise.all(
        members.map(async (member) => {
          while (run.running()) {
            await member.player.think();
            await member.player.setMemberProperty(session, 'score');
          }
        }),
      );
    }),
  );
  const sockets = seats.map((seat) => seat.socket);
  await drainTaps(run, sockets);

  // Each tap against the write that caused it: the acknowledged write answered with that session's change.
  const prefix = `load-${run.runId}-rt-`;
  const writes = run.ledger.writes().filter((w) => w.session.startsWith(prefix));
  const sentAtOf = new Map<string, number>();
  let expected = 0;
  for (const w of writes) {
    if (w.outcome !== 'acked' || w.changeNumber === undefined) continue;
    sentAtOf.set(`${w.session}#${w.branch}#${w.changeNumber}`, w.sentAt);
    // Every member in the answer is subscribed with a socket of its own: each is tapped, the writer included.
    expected += w.membersInAnswer ?? 0;
  }
  const taps: TapRecord[] = [];
  let attributed = 0;
  for (const seat of seats) {
    for (const tap of seat.socket.taps) {
      taps.push({ socket: seat.player.xuid, session: tap.session, branch: tap.branch, changeNumber: tap.changeNumber });
      const sentAt = sentAtOf.get(`${tap.session}#${tap.branch}#${tap.changeNumber}`);
      if (sentAt === undefined) continue;
      attributed += 1;
      run.recorder.record('shoulder-tap', 'tap', tap.receivedAt - sentAt, tap.receivedAt, false);
    }
  }
  const serviceChanges = new Map<string, number>();
  for (const seat of seats) {
    if (seat.socket.dropped) serviceChanges.set(seat.session.name, (serviceChanges.get(seat.session.name) ?? 0) + 1);
  }
  return {
    figures: {
      parties,
      sockets: seats.length,
      socketsRefused: nextPlayer - seats.length,
      socketsDropped: [...serviceChanges.values()].reduce((a, b) => a + b, 0),
      taps: taps.length,
      tapsExpected: expected,
      tapsAttributed: attributed,
      tapsMissed: Math.max(0, expected - attributed),
    },
    taps,
    serviceChanges,
    close: async () => {
      await Promise.all(sockets.map((socket) => socket.close()));
    },
  };
};
