// Realistic, varied session content for the benchmarks: every member's custom data differs (ids, numbers, names,
// nested lists), drawn from a seeded generator so runs are repeatable. Repeating one blob would flatter compression.
import { seededRandom } from '../local/fault-injection';

const WORDS = ['alpha', 'bravo', 'ember', 'frost', 'glade', 'harbor', 'ion', 'jade', 'krait', 'lumen', 'mire', 'nova'];
const REGIONS = ['westeurope', 'northeurope', 'eastus', 'westus2', 'japaneast', 'brazilsouth', 'australiaeast'];

/** The xuid of bench player `n`: 16 digits, as real xuids are. */
export function benchXuid(n: number): string {
  return String(2533274790395904 + n);
}

/** About `bytes` of JSON of the kinds games keep per member: ids, scores, decimals, names, loadouts, flags. */
export function memberCustomData(seed: number, bytes = 2048): Record<string, unknown> {
  const random = seededRandom(seed);
  const int = (max: number) => Math.floor(random() * max);
  const pick = <T>(items: readonly T[]) => items[int(items.length)] as T;
  const hex = (length: number) => Array.from({ length }, () => int(16).toString(16)).join('');
  const guid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
  const data: Record<string, unknown> = {
    displayName: `${pick(WORDS)}${pick(WORDS)}${int(10000)}`,
    region: pick(REGIONS),
    build: `1.${int(30)}.${int(500)}`,
    skill: { mu: Number((20 + random() * 15).toFixed(4)), sigma: Number((random() * 8).toFixed(4)), tier: int(12) },
    stats: { kills: int(50000), deaths: int(50000), wins: int(3000), hours: Number((random() * 900).toFixed(1)) },
    ready: random() < 0.5,
    team: int(4),
    ping: 10 + int(180),
    party: guid(),
    loadout: [],
    cosmetics: [],
    friendsHere: [],
  };
  const loadout = data.loadout as unknown[];
  const cosmetics = data.cosmetics as unknown[];
  const friends = data.friendsHere as unknown[];
  for (let i = 0; JSON.stringify(data).length < bytes; i += 1) {
    if (i % 3 === 0) loadout.push({ slot: i, item: guid(), level: int(60), mods: [int(999), int(999)] });
    else if (i % 3 === 1)
      cosmetics.push({ id: `${pick(WORDS)}_${hex(6)}`, color: `#${hex(6)}`, since: 1700000000 + int(9e7) });
    else friends.push(benchXuid(int(1_000_000)));
  }
  return data;
}

/** The body by which bench player `n` joins a session (or creates it), with its custom data. */
export function joinBody(n: number, customBytes = 2048): Record<string, unknown> {
  return {
    members: {
      me: {
        constants: { system: { xuid: benchXuid(n), initialize: true } },
        properties: { system: { active: true }, custom: memberCustomData(n + 1, customBytes) },
      },
    },
  };
}
