// Summarises a V8 CPU profile (`node --cpu-prof`, or BENCH_PROFILE of `npm run bench`): self and inclusive time per
// function, and with a second profile the difference per operation (what one process spends that the other does
// not), as issue 12's throughput work read the servers' process. Samples are wall time: on a loaded machine a
// process that is descheduled inside a function is charged for it, so compare runs made one after the other.
//   npx tsx bench/profile-summary.ts <a.cpuprofile> [operations of a] [<b.cpuprofile> <operations of b>] [TOP]
import { readFileSync } from 'node:fs';

/** The parts of a .cpuprofile this reads (Chrome DevTools' Profile type). */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly children?: readonly number[];
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Microseconds per function: spent in it (self), and with it on the stack (inclusive, counted once per sample). */
export interface ProfileSummary {
  readonly totalUs: number;
  readonly selfUs: ReadonlyMap<string, number>;
  readonly inclusiveUs: ReadonlyMap<string, number>;
}

/** `name file:line`, the file shortened to its package or its path in the repository. */
function frameName(frame: CpuProfile['nodes'][number]['callFrame']): string {
  const file = frame.url
    .replace(/^.*\/node_modules\//, '')
    .replace(/^file:\/\//, '')
    .replace(`${process.cwd()}/`, '');
  return `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
}

/** Self and inclusive time per function of a profile. */
export function summariseProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  // A sample's time is the delta that follows it (Chrome's convention: timeDeltas[i + 1] ends sample i).
  const timeOf = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    timeOf.set(id, (timeOf.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  });
  const selfUs = new Map<string, number>();
  const inclusiveUs = new Map<string, number>();
  let totalUs = 0;
  for (const [id, us] of timeOf) {
    const node = byId.get(id);
    if (node === undefined) continue;
    totalUs += us;
    const name = frameName(node.callFrame);
    selfUs.set(name, (selfUs.get(name) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const frame = byId.get(at);
      if (frame === undefined) break;
      const ancestor = frameName(frame.callFrame);
      if (seen.has(ancestor)) continue; // recursion: once per sample
      seen.add(ancestor);
      inclusiveUs.set(ancestor, (inclusiveUs.get(ancestor) ?? 0) + us);
    }
  }
  return { totalUs, selfUs, inclusiveUs };
}

/** Self time per operation of `a` minus that of `b`, largest first: where `a` spends what `b` does not. */
export function selfDifferencePerOperation(
  a: ProfileSummary,
  operationsOfA: number,
  b: ProfileSummary,
  operationsOfB: number,
): { readonly name: string; readonly aUs: number; readonly bUs: number }[] {
  const names = new Set([...a.selfUs.keys(), ...b.selfUs.keys()]);
  return [...names]
    .map((name) => ({
      name,
      aUs: (a.selfUs.get(name) ?? 0) / operationsOfA,
      bUs: (b.selfUs.get(name) ?? 0) / operationsOfB,
    }))
    .sort((x, y) => y.aUs - y.bUs - (x.aUs - x.bUs));
}

function top(map: ReadonlyMap<string, number>, count: number): [string, number][] {
  return [...map].sort((x, y) => y[1] - x[1]).slice(0, count);
}

function main(argv: readonly string[]): void {
  const [fileA, opsA, fileB, opsB, count] = argv;
  if (fileA === undefined) {
    console.error('usage: npx tsx bench/profile-summary.ts <a.cpuprofile> [ops] [<b.cpuprofile> <ops>] [TOP]');
    process.exit(2);
  }
  const read = (file: string) => summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const a = read(fileA);
  const rows = Number(fileB === undefined ? (opsA ?? 40) : (count ?? 40));
  if (fileB !== undefined && opsA !== undefined && opsB !== undefined) {
    console.log(`µs per operation, ${fileA} (${opsA} ops) minus ${fileB} (${opsB} ops), self time`);
    for (const row of selfDifferencePerOperation(a, Number(opsA), read(fileB), Number(opsB)).slice(0, rows)) {
      console.log(
        `${(row.aUs - row.bUs).toFixed(1).padStart(8)} ${row.aUs.toFixed(1).padStart(8)} ${row.bUs.toFixed(1).padStart(8)}  ${row.name}`,
      );
    }
    return;
  }
  const share = (us: number) =>
    `${((100 * us) / a.totalUs).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms`;
  console.log(`self time (${(a.totalUs / 1e6).toFixed(2)} s of samples)`);
  for (const [name, us] of top(a.selfUs, rows)) console.log(`${share(us)}  ${name}`);
  console.log('inclusive time');
  for (const [name, us] of top(a.inclusiveUs, rows)) console.log(`${share(us)}  ${name}`);
}

if (require.main === module) main(process.argv.slice(2));
