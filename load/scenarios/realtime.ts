/**
 * `realtime`: every player opens an RTA socket and subscribes (family spec §6), joins its party's lobby with the
 * ConnectionId and a subscription to every change, as XSAPI does, then writes its own member property over and
 * over (every --think ms, 500 by default). Each write taps every member's socket; each tap is counted and timed from
 * the moment the write that caused it (the same session, branch and changeNumber) was sent. Members stay until the
 * sessions are read back, then the sockets close.
 */
import type { TapRecord } from '../invariants';
import { Player, type SessionRef } from '../player';
import { type ReceivedTap, RtaSocket } from '../rta-socket';
import type { RunContext } from '../run-context';
import { LOBBY_TEMPLATE } from './lobby';
import type { Scenario } from './scenario';

/**
 * After the load, taps still on their way are waited for until every expected one has come, at most this long (ms):
 * generous, as the RTA tests' deadlines are, so a busy machine is not mistaken for lost taps. Taps missing then are
 * counted as missed.
 */
const TAP_DRAIN_MAX_MS = 30_000;
const TAP_DRAIN_POLL_MS = 200;

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

/** Every acknowledged change's send time by session, branch and changeNumber, and the taps it should cause. */
function expectedTaps(run: RunContext): { sentAtOf: Map<string, number>; expected: number } {
  const prefix = `load-${run.runId}-rt-`;
  const sentAtOf = new Map<string, number>();
  let expected = 0;
  for (const w of run.ledger.writes()) {
    if (!w.session.startsWith(prefix) || w.outcome !== 'acked' || w.changeNumber === undefined) continue;
    sentAtOf.set(`${w.session}#${w.branch}#${w.changeNumber}`, w.sentAt);
    // Every member in the answer is subscribed with a socket of its own: each is tapped, the writer included.
    expected += w.membersInAnswer ?? 0;
  }
  return { sentAtOf, expected };
}

const tapKey = (tap: ReceivedTap) => `${tap.session}#${tap.branch}#${tap.changeNumber}`;

/** Waits until every expected tap has come, at most {@link TAP_DRAIN_MAX_MS}. */
async function drainTaps(run: RunContext, sockets: readonly RtaSocket[]): Promise<void> {
  const { sentAtOf, expected } = expectedTaps(run);
  const until = run.now() + TAP_DRAIN_MAX_MS;
  while (run.now() < until) {
    const attributed = sockets.reduce((n, s) => n + s.taps.filter((tap) => sentAtOf.has(tapKey(tap))).length, 0);
    if (attributed >= expected) return;
    await new Promise((resolve) => setTimeout(resolve, TAP_DRAIN_POLL_MS));
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
      // Set-up, sent even if opening the sockets outlasted a short run, so every run has writes to be tapped for.
      const created = await host.player.join(session, {
        operation: 'create',
        connection: host.socket.connectionId,
        setup: true,
      });
      if (created?.status !== 201 && created?.status !== 200) return;
      const members = [host];
      await Promise.all(
        guests.map(async (guest) => {
          const answer = await guest.player.join(session, { connection: guest.socket.connectionId, setup: true });
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
  const { sentAtOf, expected } = expectedTaps(run);
  const taps: TapRecord[] = [];
  let attributed = 0;
  for (const seat of seats) {
    for (const tap of seat.socket.taps) {
      taps.push({ socket: seat.player.xuid, session: tap.session, branch: tap.branch, changeNumber: tap.changeNumber });
      const sentAt = sentAtOf.get(tapKey(tap));
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
