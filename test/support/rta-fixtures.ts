import * as fs from 'node:fs';
import * as path from 'node:path';

/** The family spec's examples (../shared/spec/examples beside the repository). */
export const EXAMPLES_DIR = path.resolve(__dirname, '../../../shared/spec/examples');

/** The wire part of an example file: its `frame`, `frames`, or `body` (family spec, "wrapper" convention). */
// biome-ignore lint/suspicious/noExplicitAny: fixtures are arbitrary JSON
export function readExample(name: string): any {
  return JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, name), 'utf8'));
}

/** The text of a fixture frame as it goes on the wire (compact JSON). */
export function wireText(frame: unknown): string {
  return JSON.stringify(frame);
}
