/**
 * `npm run bench`: every figure of issue 12 in one run, printed as a table and written as JSON to
 * bench/results/latest.json (README, "Benchmarks"). In order, so that no part loads the machine while another is
 * timed: bundle size and load time per Lambda function; per-call costs (token, exact JSON, abort signals); handler
 * CPU per GET and PUT over the in-memory store for 1, 32 and 100 members; stored item size and write units; then
 * throughput against DynamoDB Local (ceiling, trivial server, service), interleaved over the rounds.
 *
 * Environment: DYNAMODB_ENDPOINT to use a running DynamoDB Local (else one is started and stopped), BENCH_ROUNDS
 * (repetitions, default 3), BENCH_SECONDS (per throughput leg and round, default 5), BENCH_LOADS (fresh-process
 * imports per bundle, default 10), BENCH_ONLY (comma-separated parts: bundles,micro,handler,items,throughput),
 * BENCH_LEGS (comma-separated throughput legs, e.g. `service GET`: to profile one leg's work).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { documentCompression } from '../lambda/store/item-codec';
import { benchDynamoDb } from './bench-kit';
import { type BundleFigure, measureBundles } from './bundles';
import { type HandlerCost, measureHandlerCost } from './handler-cost';
import { documentJsonOf, type ItemSize, measureItemSize, writeUnits } from './item-size';
import { type MicroFigures, measureMicro, type Stat } from './micro';
import { LEGS, type Leg, measureThroughput, ratioOf, type ThroughputResult } from './throughput';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const SECONDS = Math.max(0.5, Number(process.env.BENCH_SECONDS ?? 5));
const LOADS = Math.max(1, Number(process.env.BENCH_LOADS ?? 10));
const ONLY = new Set((process.env.BENCH_ONLY ?? 'bundles,micro,handler,items,throughput').split(','));
const THROUGHPUT_LEGS = legsToRun(process.env.BENCH_LEGS);
// Handler calls per round at 10 members (fewer for larger sessions: bench/handler-cost.ts). 600 rather than 200: at
// 200 a 32-member round was some 60 ms of CPU, and one garbage collection more or less moved its figure by a tenth.
const HANDLER_CALLS = 600;

/** The throughput legs BENCH_LEGS names (comma-separated), every leg without it; a name it does not know stops the run. */
function legsToRun(names: string | undefined): readonly Leg[] {
  if (names === undefined || names.trim() === '') return LEGS;
  return names.split(',').map((name) => {
    const leg = LEGS.find((known) => known === name.trim());
    if (leg === undefined) throw new Error(`BENCH_LEGS: no leg "${name}"; the legs are ${LEGS.join(', ')}`);
    return leg;
  });
}

const lines: string[] = [];
const print = (line = '') => {
  lines.push(line);
  console.log(line);
};
const progress = (line: string) => console.error(line);
const f = (value: number, digits = 0) => value.toFixed(digits);
const spread = (s: Stat, digits = 0, unit = '') =>
  `${f(s.median, digits)}${unit} (${f(s.min, digits)}..${f(s.max, digits)})`;
const mark = (ok: boolean) => (ok ? 'met' : 'NOT met');
const row = (cells: string[], widths: number[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');

function printBundles(figures: BundleFigure[]): void {
  print(`Bundles (esbuild as the CDK bundles them; import in a fresh process, median of ${LOADS})`);
  const w = [22, 10, 10, 22, 8];
  print(row(['function', 'KB', 'map KB', 'load ms (min..max)', 'target'], w));
  for (const b of figures) {
    const ok = b.bytes < 500 * 1024 && b.loadMs.median < 100;
    print(row([b.name, f(b.bytes / 1024), f(b.mapBytes / 1024), spread(b.loadMs, 1), mark(ok)], w));
  }
  print('  target: each bundle under 500 KB and loading in under 100 ms');
}

function printMicro(m: MicroFigures): void {
  print(`Per-call CPU costs, microseconds (median (min..max) of ${ROUNDS} rounds)`);
  const w = [58, 22];
  print(row(['token verification (HS256, key imported once)', spread(m.tokenVerifyUs, 1)], w));
  print(row(['  jose with the raw secret (a WebCrypto import per call)', spread(m.tokenVerifyRawSecretUs, 1)], w));
  print(row([`JSON.parse of a 100-member document (${f(m.documentKb)} KB)`, spread(m.jsonParseUs)], w));
  print(row(['parseExactJson of the same', spread(m.exactParseUs)], w));
  print(row(['JSON.stringify of the same', spread(m.jsonStringifyUs)], w));
  print(row(['stringifyExactJson of the same', spread(m.exactStringifyUs)], w));
  print(row([`${documentCompression.name} of the same (the stored format)`, spread(m.storedCompressUs)], w));
  print(row(['  and back', spread(m.storedDecompressUs)], w));
  print(row(['brotli quality 1 of the same (the format before)', spread(m.brotliUs)], w));
  print(row(['  and back', spread(m.unbrotliUs)], w));
  print(row(['gzip level 1 of the same (the first format)', spread(m.gzipUs)], w));
  print(row(['  and back', spread(m.gunzipUs)], w));
  print(row(['AttemptBudget, options of 2 store calls, release (one PUT)', spread(m.budgetTwoCallsUs, 2)], w));
  print(row(['  before: AbortSignal.timeout(7000) once (never stopped)', spread(m.abortSignalTimeoutUs, 2)], w));
  print(row(['  earlier: AbortSignal.timeout(7000) per store call', spread(m.twoAbortSignalsUs, 2)], w));
}

function printHandlerCost(costs: HandlerCost[]): void {
  print(`Handler CPU per request, in-memory store, 2 KB custom data per member (ms, median (min..max) of ${ROUNDS})`);
  const w = [8, 22, 22, 10, 14];
  print(row(['members', 'PUT ms', 'GET ms', 'GET KB', 'PUT target'], w));
  const targets: Record<number, number> = { 32: 1, 100: 3 };
  for (const c of costs) {
    const target = targets[c.members];
    const verdict = target === undefined ? '-' : `< ${target} ${mark(c.putMs.median < target)}`;
    print(row([String(c.members), spread(c.putMs, 2), spread(c.getMs, 2), f(c.answerBytes / 1024, 1), verdict], w));
  }
  print('  target: PUT under 1 ms at 32 members and under 3 ms at 100');
}

function printItemSizes(sizes: ItemSize[]): void {
  print('Stored item per PUT (billed bytes -> write units; 1 WCU per started KB)');
  const w = [8, 10, 16, 16, 12, 12, 12, 12, 12, 10];
  print(
    row(
      [
        'members',
        'JSON KB',
        'plain KB/WCU',
        'stored KB/WCU',
        'stored/plain',
        'br-1 KB',
        'gzip-1 KB',
        'gzip-9 KB',
        'br-5 KB',
        'ids KB',
      ],
      w,
    ),
  );
  for (const s of sizes) {
    const kb = (b: number) => f(b / 1024, 1);
    print(
      row(
        [
          String(s.members),
          kb(s.jsonBytes),
          `${kb(s.uncompressedBytes)}/${writeUnits(s.uncompressedBytes)}`,
          `${kb(s.storedBytes)}/${writeUnits(s.storedBytes)}`,
          f(writeUnits(s.storedBytes) / writeUnits(s.uncompressedBytes), 2),
          kb(s.brotli1Bytes),
          kb(s.gzip1Bytes),
          kb(s.gzip9Bytes),
          kb(s.brotliBytes),
          kb(s.writeIdsBytes),
        ],
        w,
      ),
    );
  }
  const hundred = sizes.find((s) => s.members === 100);
  if (hundred !== undefined) {
    const ratio = writeUnits(hundred.storedBytes) / writeUnits(hundred.uncompressedBytes);
    print(
      `  target: a 100-member session at most 0.5 of its uncompressed write units: ${f(ratio, 2)} ${mark(ratio <= 0.5)}`,
    );
  }
}

const RATIOS: { name: string; measured: Leg; baseline: Leg; target?: number }[] = [
  { name: 'GET / ceiling', measured: 'service GET', baseline: 'ceiling GET', target: 0.8 },
  { name: 'PUT update / ceiling', measured: 'service PUT update', baseline: 'ceiling GET+PUT', target: 0.8 },
  { name: 'PUT join / ceiling', measured: 'service PUT join', baseline: 'ceiling GET+PUT', target: 0.8 },
  { name: 'GET / trivial server', measured: 'service GET', baseline: 'trivial GET' },
  { name: 'PUT update / trivial server', measured: 'service PUT update', baseline: 'trivial GET+PUT' },
  { name: 'PUT join / trivial server', measured: 'service PUT join', baseline: 'trivial GET+PUT' },
  { name: 'trivial GET / ceiling', measured: 'trivial GET', baseline: 'ceiling GET' },
  { name: 'trivial GET+PUT / ceiling', measured: 'trivial GET+PUT', baseline: 'ceiling GET+PUT' },
];

function printThroughput(t: ThroughputResult): void {
  print(`Throughput, 32 concurrent callers, ${ROUNDS} interleaved rounds of ${SECONDS} s per leg (ops/s)`);
  const w = [22, 22, 10];
  print(row(['leg', 'median (min..max)', 'failures'], w));
  for (const [leg, values] of Object.entries(t.rounds)) {
    print(row([leg, spread(statsOf(values)), String(t.failures[leg as Leg])], w));
  }
  print('CPU per operation of the serving process, microseconds (median (min..max))');
  print("  (ceiling: the bench process, its SDK calls only; trivial and service: the servers' process)");
  for (const [leg, values] of Object.entries(t.cpuMicrosPerOp)) {
    print(row([leg, spread(statsOf(values), 0)], w));
  }
  for (const r of RATIOS.filter((r) => r.baseline.startsWith('trivial'))) {
    const measured = t.cpuMicrosPerOp[r.measured];
    const baseline = t.cpuMicrosPerOp[r.baseline];
    if (measured === undefined || baseline === undefined) continue;
    const per = measured.map((v, i) => v / (baseline[i] as number));
    print(row([`CPU ${r.name}`, spread(statsOf(per), 2)], [28, 20]));
  }
  print('Ratios per round (median (min..max))');
  for (const r of RATIOS) {
    const s = ratioOf(t, r.measured, r.baseline);
    if (s === undefined) continue;
    const verdict = r.target === undefined ? '' : `  target >= ${r.target}: ${mark(s.median >= r.target)}`;
    print(row([r.name, spread(s, 2)], [28, 20]) + verdict);
  }
}

function statsOf(values: number[]): Stat {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { median, min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0 };
}

async function main(): Promise<void> {
  const started = Date.now();
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`;
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine,
    rounds: ROUNDS,
    seconds: SECONDS,
  };
  print(`npm run bench  ${results.date}  ${machine}`);
  print();
  if (ONLY.has('bundles')) {
    progress('bundling and loading every function...');
    const bundles = await measureBundles(LOADS);
    results.bundles = bundles;
    printBundles(bundles);
    print();
  }
  let costs: HandlerCost[] | undefined;
  if (ONLY.has('handler') || ONLY.has('items') || ONLY.has('micro')) {
    progress('handler cost over the in-memory store...');
    costs = await measureHandlerCost(ROUNDS, HANDLER_CALLS);
  }
  if (ONLY.has('micro') && costs !== undefined) {
    const item = costs.find((c) => c.members === 100)?.item;
    const text = item === undefined ? '{}' : documentJsonOf(item);
    const micro = await measureMicro(ROUNDS, text);
    results.micro = micro;
    printMicro(micro);
    print();
  }
  if (ONLY.has('handler') && costs !== undefined) {
    results.handlerCost = costs.map(({ item: _item, ...figures }) => figures);
    printHandlerCost(costs);
    print();
  }
  if (ONLY.has('items') && costs !== undefined) {
    const sizes = costs.map((c) => measureItemSize(c.members, c.item));
    results.itemSizes = sizes;
    printItemSizes(sizes);
    print();
  }
  if (ONLY.has('throughput')) {
    progress('starting DynamoDB...');
    const dynamoDb = await benchDynamoDb();
    try {
      progress(`throughput: ${ROUNDS} rounds x ${THROUGHPUT_LEGS.length} legs x ${SECONDS} s...`);
      const throughput = await measureThroughput(dynamoDb.endpoint, ROUNDS, SECONDS, progress, THROUGHPUT_LEGS);
      results.throughput = {
        ...throughput,
        ratios: Object.fromEntries(RATIOS.map((r) => [r.name, ratioOf(throughput, r.measured, r.baseline)])),
      };
      printThroughput(throughput);
      print();
    } finally {
      await dynamoDb.stop();
    }
  }
  print(`finished in ${f((Date.now() - started) / 1000)} s`);
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(path.join(dir, 'latest.txt'), `${lines.join('\n')}\n`);
  console.log(`JSON: ${path.relative(process.cwd(), path.join(dir, 'latest.json'))}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
