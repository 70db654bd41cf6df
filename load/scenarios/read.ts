/**
 * `read`: many pollers on few sessions. Each session has one member who changes a custom session property about
 * once a second; every other player polls one session with If-None-Match (the ETag it last saw), so almost every
 * poll is a 304 and the few 200s follow the writer's changes.
 */
import { Player, type SessionRef } from '../player';
import type { RunContext } from '../run-context';
import type { Scenario } from './scenario';

export const READ_TEMPLATE = 'lobby';
/** How often each session's writer changes it (ms). */
export const READ_WRITE_INTERVAL_MS = 1000;

/** The sessions pollers read, each created and then changed by its own writer until the run ends. */
export function startReadSessions(
  run: RunContext,
  count: number,
  firstPlayer: number,
): { sessions: SessionRef[]; writers: Promise<void> } {
  const sessions = Array.from({ length: count }, (_, i) => ({
    template: READ_TEMPLATE,
    name: `load-${run.runId}-read-${i}`,
  }));
  // Created and then written by their writers while the pollers start: a poll before the create answers 204.
  const writers = Promise.all(
    sessions.map(async (session, i) => {
      const writer = await Player.create(run, run.playerXuid(firstPlayer + i));
      const created = await writer.join(session, { operation: 'create' });
      if (created?.status !== 201 && created?.status !== 200) return;
      while (run.running()) {
        await run.pause(READ_WRITE_INTERVAL_MS);
        await writer.setSessionProperty(session, 'tick');
      }
    }),
  ).then(() => undefined);
  return { sessions, writers };
}

/** One poller: GET with If-None-Match on its session until the run ends (or `polls` times). */
export async function pollSession(
  run: RunContext,
  player: Player,
  session: SessionRef,
  polls = Number.POSITIVE_INFINITY,
): Promise<void> {
  for (let poll = 0; poll < polls && run.running(); poll += 1) {
    await player.poll(session);
    await player.think();
  }
}

export const readScenario: Scenario = async (run, options) => {
  const { sessions, writers } = startReadSessions(run, options.sessions, 0);
  const pollers = await Promise.all(
    Array.from({ length: Math.max(1, options.players - sessions.length) }, (_, index) =>
      Player.create(run, run.playerXuid(sessions.length + index)),
    ),
  );
  await Promise.all([
    writers,
    ...pollers.map((poller, index) => pollSession(run, poller, sessions[index % sessions.length] as SessionRef)),
  ]);
  return { figures: { sessions: sessions.length, pollers: pollers.length } };
};
