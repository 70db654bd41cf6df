/**
 * `lobby`: parties play lobbies through, one after another, as the README's common flow does: the host creates the
 * lobby (a PUT of members.me) and posts its activity handle; the others join by members.me and post theirs; for a
 * few rounds each member writes its own custom member property and a custom session property and polls with
 * If-None-Match; then everyone leaves, and the last leaver's PUT deletes the session (204). With `--keep` nobody
 * leaves: every lobby stays behind, as a QA run that fills the QA listing and the session explorer wants.
 */
import { Player, type SessionRef } from '../player';
import type { RunContext } from '../run-context';
import type { Scenario } from './scenario';

/** The sample SCID's `lobby` template: open, 8 seats, as the README's flow uses. */
export const LOBBY_TEMPLATE = 'lobby';
/** Rounds of writes and polls in one lobby before its members leave. */
export const LOBBY_ROUNDS = 3;

const joined = (status: number | 'error' | undefined) => status === 200 || status === 201;

/** One lobby, start to end, by these players (the first is the host). Stops early when the run ends. */
export async function playLobby(
  run: RunContext,
  party: readonly Player[],
  session: SessionRef,
  { leave = true }: { readonly leave?: boolean } = {},
): Promise<void> {
  const [host, ...guests] = party;
  if (host === undefined) return;
  const created = await host.join(session, { operation: 'create' });
  if (!joined(created?.status)) {
    // A refused create (a wrong secret, a missing template) would otherwise be repeated as fast as it is refused.
    await run.pause(250);
    return;
  }
  await host.postActivity(session);
  const members = [host];
  await Promise.all(
    guests.map(async (guest) => {
      await guest.think();
      const answer = await guest.join(session);
      if (!joined(answer?.status)) return;
      members.push(guest);
      await guest.postActivity(session);
    }),
  );
  for (let round = 0; round < LOBBY_ROUNDS && run.running(); round += 1) {
    await Promise.all(
      members.map(async (member, slot) => {
        await member.think();
        await member.setMemberProperty(session, 'score');
        await member.think();
        await member.setSessionProperty(session, `slot${slot}`);
        await member.think();
        await member.poll(session);
      }),
    );
  }
  if (!run.running() || !leave) return;
  // Everyone leaves at once: which PUT is the last (and answers 204) is the service's decision.
  await Promise.all(members.map((member) => member.leave(session)));
}

export const lobbyScenario: Scenario = async (run, options) => {
  const parties = Math.max(1, Math.floor(options.players / options.lobbySize));
  let lobbies = 0;
  let nextPlayer = 0;
  await Promise.all(
    Array.from({ length: parties }, async (_, partyIndex) => {
      const party = await Promise.all(
        Array.from({ length: options.lobbySize }, () => Player.create(run, run.playerXuid(nextPlayer++))),
      );
      for (let game = 0; run.running(); game += 1) {
        lobbies += 1;
        await playLobby(
          run,
          party,
          { template: LOBBY_TEMPLATE, name: `load-${run.runId}-lobby-${partyIndex}-${game}` },
          { leave: !options.keep },
        );
      }
    }),
  );
  return { figures: { parties, lobbies, players: nextPlayer } };
};
