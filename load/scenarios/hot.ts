/**
 * `hot`: hundreds of players go for one session at once, more than it holds: all join together (the first creates
 * it; the rest are admitted until every seat is taken, then answered `SessionFull`), the admitted ones update their
 * own member property and one custom session property everyone writes, then leave and queue for a seat again; the
 * refused ones try again shortly. Every seat is contended the whole run.
 */
import { Player, type SessionRef, sessionFull } from '../player';
import type { RunContext } from '../run-context';
import type { Scenario } from './scenario';

/** The sample SCID's `open` template: everything but `version` is the creator's, so the join sets the capacity. */
export const HOT_TEMPLATE = 'open';
/** Writes an admitted player makes before it leaves and queues again. */
export const HOT_UPDATES_PER_SEAT = 5;
/** A refused player's wait before it tries again (ms), so refusals do not crowd out the writes. */
const REJOIN_PAUSE_MS = 200;

/** One player of the hot session: join, update, leave, again until the run ends (or `seats` times). */
export async function playHotSession(
  run: RunContext,
  player: Player,
  session: SessionRef,
  maxMembers: number,
  seats = Number.POSITIVE_INFINITY,
): Promise<void> {
  for (let seat = 0; seat < seats && run.running(); ) {
    await player.think();
    // Every join carries the constants: whoever comes first creates the session with this capacity, and a join of
    // the existing session repeats constants equal to its own.
    const answer = await player.join(session, { constants: { maxMembersCount: maxMembers }, expected: sessionFull });
    if (answer === undefined) return;
    if (answer.status !== 200 && answer.status !== 201) {
      await run.pause(REJOIN_PAUSE_MS);
      continue;
    }
    seat += 1;
    for (let update = 0; update < HOT_UPDATES_PER_SEAT && run.running(); update += 1) {
      await player.think();
      await player.setMemberProperty(session, 'score');
      await player.think();
      await player.setSessionProperty(session, 'lastWriter');
    }
    if (!run.running()) return;
    await player.leave(session);
  }
}

export const hotScenario: Scenario = async (run, options) => {
  const session: SessionRef = { template: HOT_TEMPLATE, name: `load-${run.runId}-hot` };
  const players = await Promise.all(
    Array.from({ length: options.players }, (_, index) => Player.create(run, run.playerXuid(index))),
  );
  await Promise.all(players.map((player) => playHotSession(run, player, session, options.maxMembers)));
  return { figures: { players: players.length, maxMembersCount: options.maxMembers } };
};
