// One session request in a loop, to profile: the real PUT or GET handler over the in-memory store, as the handler
// cost of `npm run bench` runs it (bench/handler-cost.ts), and nothing else in the process worth a sample. Prints
// CPU ms per call. Settings: MEMBERS (default 100), CUSTOM (bytes of custom data per member, default 2048), CALLS
// (default 500), MODE (put or get). For example:
//   MEMBERS=32 node --import tsx --cpu-prof --cpu-prof-dir=/tmp/profile bench/profile-handler.ts
import { benchSession, handlersOverMemory } from './handler-cost';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

async function main(): Promise<void> {
  const members = Number(process.env.MEMBERS ?? 100);
  const calls = Number(process.env.CALLS ?? 500);
  const mode = process.env.MODE === 'get' ? 'get' : 'put';
  const { handlers } = handlersOverMemory();
  const session = await benchSession(handlers, 'profile', members, Number(process.env.CUSTOM ?? 2048));
  const request = (n: number) => (mode === 'put' ? session.put(n) : session.get());
  for (let n = 0; n < 50; n += 1) await request(n); // warm-up
  const before = process.cpuUsage();
  for (let n = 0; n < calls; n += 1) await request(n);
  const used = process.cpuUsage(before);
  console.log(`${mode} ${members} members: ${((used.user + used.system) / 1000 / calls).toFixed(3)} CPU ms per call`);
}

void main();
