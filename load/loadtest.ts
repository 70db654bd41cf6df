/**
 * `npm run loadtest -- <scenario> [options]` (README, "The load-test kit"); `--help` lists everything. The story of
 * the run and the progress line go to stderr, the summary to stdout. Exit status 0 passed, 1 an invariant or a
 * threshold failed, 2 a usage mistake or a target that cannot be used (nothing was loaded).
 */
import { runCommand } from '../tools/run-command';
import { parseLoadOptions, USAGE, UsageError } from './options';
import { formatSummary } from './results';
import { runLoad, TargetUnusable, writeResults } from './run-load';
import { resolveTarget } from './target';

async function main(): Promise<number> {
  let options: ReturnType<typeof parseLoadOptions>;
  try {
    options = parseLoadOptions(process.argv.slice(2));
    if (options === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const target = await resolveTarget(options);
    if (options.scenario === 'realtime' && target.rtaUrl === undefined) {
      throw new UsageError('realtime needs the RTA URL of a deployed stage: --rta-url <wss://...> or --stack <name>.');
    }
    const tty = process.stderr.isTTY === true;
    let lastShown = 0;
    const results = await runLoad(options, target, {
      log: (line) => process.stderr.write(`${tty ? '\r\x1b[K' : ''}${line}\n`),
      ...(options.progress
        ? {
            // On a terminal the line is rewritten in place; in a log (CI), one line every 5 s.
            progress: (line: string) => {
              if (tty) process.stderr.write(`\r\x1b[K${line}`);
              else if (Date.now() - lastShown >= 5000) {
                lastShown = Date.now();
                process.stderr.write(`${line}\n`);
              }
            },
          }
        : {}),
    });
    if (tty) process.stderr.write('\r\x1b[K');
    process.stdout.write(`${formatSummary(results)}\n`);
    if (options.out !== undefined) {
      const written = await writeResults(options.out, results);
      process.stdout.write(`Wrote ${written.json} and ${written.html}\n`);
    }
    return results.passed ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof TargetUnusable) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

runCommand(main, { status: 2, stack: true });
