/**
 * `gameday`: the milestone rehearsal. Units arrive at an open rate (not when others finish), ramping linearly from
 * 0 to --rate per second over --ramp seconds, then steady until --duration: a lobby party (--lobby-size new players
 * playing one lobby through), a poller (a new player polling one of --sessions busy sessions 20 times), or a hot
 * player (joining the one hot session, 3 rounds of writes, leaving), picked by the --mix weights. At most --players
 * units are active at once; an arrival beyond that is dropped and counted, as a real crowd would not wait.
 */
import { Player, type SessionRef } from '../player';
import { HOT_TEMPLATE, playHotSession } from './hot';
import { LOBBY_TEMPLATE, playLobby } from './lobby';
import { pollSession, startReadSessions } from './read';
import type { Scenario } from './scenario';

/** How often arrivals are let in (ms): small against a second, large against the timer's own cost. */
const TICK_MS = 50;
const POLLS_PER_POLLER = 20;
const SEATS_PER_HOT_PLAYER = 1;

/** Arrivals expected by `t` seconds: the integral of a rate ramping linearly over `ramp` seconds to `rate`. */
export function arrivalsBy(t: number, rate: number, ramp: number): number {
  if (t <= 0) return 0;
  if (ramp <= 0 || t >= ramp) return rate * (ramp / 2 + Math.max(0, t - ramp));
  return (rate * t * t) / (2 * ramp);
}

export const gamedayScenario: Scenario = async (run, options) => {
  const startedAt = run.now();
  const { sessions, writers } = startReadSessions(run, options.sessions, 0);
  let nextPlayer = sessions.length;
  const hotSession = { template: HOT_TEMPLATE, name: `load-${run.runId}-hot` };
  const weights = options.mix;
  const totalWeight = weights.lobby + weights.read + weights.hot;
  const arrived = { lobby: 0, read: 0, hot: 0 };
  let dropped = 0;
  let active = 0;
  let lobbies = 0;
  const units: Promise<void>[] = [];

  const startUnit = async (): Promise<void> => {
    const pick = Math.random() * totalWeight;
    if (pick < weights.lobby) {
      arrived.lobby += 1;
      const party = await Promise.all(
        Array.from({ length: options.lobbySize }, () => Player.create(run, run.playerXuid(nextPlayer++))),
      );
      await playLobby(run, party, { template: LOBBY_TEMPLATE, name: `load-${run.runId}-lobby-${lobbies++}` });
    } else if (pick < weights.lobby + weights.read) {
      arrived.read += 1;
      const poller = await Player.create(run, run.playerXuid(nextPlayer++));
      const session = sessions[Math.floor(Math.random() * sessions.length)] as SessionRef;
      await pollSession(run, poller, session, POLLS_PER_POLLER);
    } else {
      arrived.hot += 1;
      const player = await Player.create(run, run.playerXuid(nextPlayer++));
      await playHotSession(run, player, hotSession, options.maxMembers, SEATS_PER_HOT_PLAYER);
    }
  };

  let admitted = 0;
  while (run.running()) {
    const due = Math.floor(arrivalsBy((run.now() - startedAt) / 1000, options.rate, options.rampSeconds));
    for (; admitted < due; admitted += 1) {
      if (active >= options.players) {
        dropped += 1;
        continue;
      }
      active += 1;
      units.push(
        startUnit().finally(() => {
          active -= 1;
        }),
      );
    }
    await run.pause(TICK_MS);
  }
  await Promise.all([writers, ...units]);
  return {
    figures: {
      arrivals: admitted,
      lobbyParties: arrived.lobby,
      pollers: arrived.read,
      hotPlayers: arrived.hot,
      droppedArrivals: dropped,
      players: nextPlayer,
    },
  };
};
