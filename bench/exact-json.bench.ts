// `npx tsx bench/exact-json.bench.ts`: how long parsing a body or a stored session takes on the fast path
// (JSON.parse), the exact path (lossless-json), and the duplicate-key scan of request bodies. Prints figures only.
import { randomUUID } from 'node:crypto';
import { findDuplicateKey, parseExactJson } from '../lambda/domain/json';
import { stats } from './bench-kit';

/** A session document shaped like a full stored one: members with xuids, GUIDs, times and custom numbers. */
function sessionText(members: number, customNumber: string): string {
  const entries: string[] = [];
  for (let i = 0; i < members; i += 1) {
    entries.push(
      `"${i}":{"constants":{"system":{"xuid":"${2533274790395904 + i}","initialize":true,"index":${i}},"custom":{"skill":${i * 7},"level":12.5}},` +
        `"properties":{"system":{"active":true,"connection":"${randomUUID()}","subscription":{"id":"${randomUUID()}","changeTypes":["everything","host"]}},` +
        `"custom":{"score":${customNumber},"name":"player ${i}","loadout":[1,2,3,4,5],"joined":"2026-11-29T10:28:37.090Z"}},` +
        `"gamertag":"Player${i}","joinTime":"2026-11-29T10:28:37.090Z","stateSince":1795948117090,"next":${i + 1}}`,
    );
  }
  return `{"branch":"${randomUUID()}","changeNumber":42,"constants":{"system":{"version":1,"maxMembersCount":100},"custom":{}},"properties":{"system":{"turn":[0,1]},"custom":{"map":"dust"}},"members":{${entries.join(',')}},"nextMemberIndex":${members},"servers":{}}`;
}

function microsPerCall(fn: () => unknown, rounds = 9, calls = 200): { median: number; min: number; max: number } {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r += 1) {
    const start = performance.now();
    for (let c = 0; c < calls; c += 1) fn();
    samples.push(((performance.now() - start) * 1000) / calls);
  }
  return stats(samples);
}

const cases: [string, string][] = [
  ['session, custom numbers all plain (fast path)', sessionText(100, '1234')],
  [
    'session, one custom number 12345678.123456789',
    sessionText(100, '1234').replace('"skill":0', '"skill":12345678.123456789'),
  ],
  ['a request body, plain numbers', sessionText(28, '99')],
];
for (const [name, text] of cases) {
  const kb = (Buffer.byteLength(text) / 1024).toFixed(0);
  const fmt = (s: { median: number; min: number; max: number }) =>
    `${s.median.toFixed(0)} us (${s.min.toFixed(0)}..${s.max.toFixed(0)})`;
  console.log(`${name}, ${kb} KB`);
  console.log(`  JSON.parse           ${fmt(microsPerCall(() => JSON.parse(text)))}`);
  console.log(`  parseExactJson       ${fmt(microsPerCall(() => parseExactJson(text)))}`);
  console.log(`  findDuplicateKey     ${fmt(microsPerCall(() => findDuplicateKey(text)))}`);
}
