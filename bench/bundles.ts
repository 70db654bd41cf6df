// Bundle figures of `npm run bench`: every Lambda function the route table names (FUNCTIONS, REAL_TIME_FUNCTIONS and STREAM_FUNCTIONS
// in lambda/http/routes.ts, so a new function is measured without touching this file), bundled by esbuild with the
// options the CDK construct uses (lib/constructs/session-function.ts: ESM, node22, minified, AWS SDK inside, module
// before main, the createRequire banner, an external source map) into a temporary folder; its size, and the time a
// fresh Node process takes to import it with NODE_OPTIONS=--enable-source-maps as deployed (median of `loads`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { FUNCTIONS, REAL_TIME_FUNCTIONS, STREAM_FUNCTIONS } from '../lambda/http/routes';
import { BUNDLE_ALIASES } from '../lambda/runtime/bundle-aliases';
import { stats } from './bench-kit';

const ROOT = path.resolve(__dirname, '..');

export interface BundleFigure {
  readonly name: string;
  /** The minified JavaScript, bytes (the source map beside it is not loaded unless an error is printed). */
  readonly bytes: number;
  readonly mapBytes: number;
  /** Milliseconds to import the bundle in a fresh process: median and spread. */
  readonly loadMs: { median: number; min: number; max: number };
}

/**
 * esbuild's options for one function's bundle, as the CDK construct sets them (lib/constructs/session-function.ts
 * cannot be imported here: it builds through NodejsFunction). Also what test/infra/function-bundles.test.ts bundles.
 * `entry` is an entry module's path from the repository root, or the text of an entry module (a variant of a
 * function that only a benchmark builds, bench/observability.bench.ts), resolved from the root.
 */
export function lambdaBundleOptions(entry: string | { readonly contents: string }, outfile: string): BuildOptions {
  return {
    ...(typeof entry === 'string'
      ? { entryPoints: [path.join(ROOT, entry)] }
      : { stdin: { contents: entry.contents, resolveDir: ROOT, loader: 'ts', sourcefile: 'entry.ts' } }),
    absWorkingDir: ROOT,
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    mainFields: ['module', 'main'],
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    alias: { ...BUNDLE_ALIASES },
    logLevel: 'error',
  };
}

/** Milliseconds a fresh Node process takes to import `file` (measured inside it, so Node's own start is left out). */
export function loadTimeMs(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, NODE_OPTIONS: '--enable-source-maps', AWS_REGION: 'us-east-1' },
    encoding: 'utf8',
  });
  return Number(out);
}

export async function measureBundles(loads: number): Promise<BundleFigure[]> {
  const functions: Record<string, { entry: string }> = { ...FUNCTIONS, ...REAL_TIME_FUNCTIONS, ...STREAM_FUNCTIONS };
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-bundles-'));
  try {
    const figures: BundleFigure[] = [];
    for (const [name, { entry }] of Object.entries(functions)) {
      const outfile = path.join(dir, name, 'index.mjs');
      await build(lambdaBundleOptions(entry, outfile));
      const times = Array.from({ length: loads }, () => loadTimeMs(outfile));
      figures.push({
        name,
        bytes: statSync(outfile).size,
        mapBytes: statSync(`${outfile}.map`).size,
        loadMs: stats(times),
      });
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
