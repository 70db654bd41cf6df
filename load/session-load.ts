/**
 * Load kit: drives joins or member updates against a running local service (`npm start`) with autocannon, then
 * checks the sessions it wrote (README, "Load testing"). Loopback only, bounded in time and count.
 *
 *   npm run load -- join      # players join sessions of 100, a new session whenever one is full
 *   npm run load -- update    # 100 members of one session update their own properties and custom keys
 *
 * Start the server with `RATE_LIMITS=off npm start`: with MPSD's per-user limits on (30 requests in 15 s), the update
 * scenario's members are answered 429 after their 30th request, as MPSD would.
 *
 * Environment: BASE_URL (default http://127.0.0.1:8080; only 127.0.0.1/localhost/[::1]), CONNECTIONS (default 32,
 * at most 256), DURATION seconds (default 10, at most 60), AMOUNT requests (default 5000, at most 50000).
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { mintToken } from '../lambda/auth/development-token';
import { DEFAULT_MAX_MEMBERS_COUNT } from '../lambda/domain/session/constants-defaults';
import { sessionPathOf } from '../lambda/http/routes';
import { SAMPLE_SCID } from '../local/start-banner';

const TEMPLATE = 'open';
// The `open` template sets no maxMembersCount, so its sessions hold the default.
const SESSION_SIZE = DEFAULT_MAX_MEMBERS_COUNT;

interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
}
interface AutocannonResult {
  requests: { average: number; p50: number; min: number; max: number };
  latency: { p50: number; p97_5: number; p99: number; max: number };
  statusCodeStats: Record<string, { count: number }>;
  errors: number;
  timeouts: number;
  duration: number;
}
const autocannon = createRequire(__filename)('autocannon') as (options: {
  url: string;
  connections: number;
  duration: number;
  maxOverallRequests: number;
  requests: AutocannonRequest[];
}) => Promise<AutocannonResult>;

function bounded(name: string, fallback: number, max: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(`${name} must be a whole number from 1 to ${max}, not "${process.env[name]}".`);
  }
  return value;
}

function loopbackUrl(): string {
  const url = new URL(process.env.BASE_URL ?? 'http://127.0.0.1:8080');
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new Error(`BASE_URL must point at this machine (127.0.0.1, localhost or [::1]), not ${url.hostname}.`);
  }
  return url.origin;
}

const sessionPath = (name: string) => sessionPathOf({ scid: SAMPLE_SCID, templateName: TEMPLATE, name });
const headersFor = (authorization: string) => ({
  authorization,
  'x-xbl-contract-version': '107',
  'content-type': 'application/json',
});

async function getSession(baseUrl: string, authorization: string, name: string) {
  const response = await fetch(`${baseUrl}${sessionPath(name)}`, { headers: headersFor(authorization) });
  // biome-ignore lint/suspicious/noExplicitAny: a rendered session
  return response.status === 200 ? ((await response.json()) as any) : undefined;
}

async function main(): Promise<void> {
  const scenario = process.argv[2] ?? 'join';
  if (scenario !== 'join' && scenario !== 'update') throw new Error('The scenario is "join" or "update".');
  const baseUrl = loopbackUrl();
  const connections = bounded('CONNECTIONS', 32, 256);
  const duration = bounded('DURATION', 10, 60);
  const amount = bounded('AMOUNT', 5000, 50_000);
  const run = randomUUID().slice(0, 8);
  const players = scenario === 'join' ? Math.min(amount, 50_000) : SESSION_SIZE;
  // Tokens are minted as needed and kept: HS256 with the local development secret, which `npm start` accepts.
  const tokens = new Map<number, string>();
  const tokenOf = async (player: number) => {
    let token = tokens.get(player);
    if (token === undefined) {
      token = await mintToken({ xuid: String(7_000_000_000 + player) });
      tokens.set(player, token);
    }
    return token;
  };
  const preparedPlayers = scenario === 'join' ? Math.min(players, amount + connections) : SESSION_SIZE;
  for (let p = 0; p < preparedPlayers; p += 1) await tokenOf(p);

  let next = 0;
  let request: AutocannonRequest;
  const updateSession = `load-${run}-update`;
  if (scenario === 'join') {
    // Request n is player n joining session n / 100: each session fills with 100 distinct players.
    request = {
      method: 'PUT',
      setupRequest: (r) => {
        const n = next++;
        const xuid = String(7_000_000_000 + n);
        return {
          ...r,
          path: sessionPath(`load-${run}-${Math.floor(n / SESSION_SIZE)}`),
          headers: headersFor(tokens.get(n) ?? (tokens.get(0) as string)),
          body: JSON.stringify({
            members: {
              me: { constants: { system: { xuid, initialize: true } }, properties: { system: { active: true } } },
            },
          }),
        };
      },
    };
  } else {
    for (let p = 0; p < SESSION_SIZE; p += 1) {
      const xuid = String(7_000_000_000 + p);
      const response = await fetch(`${baseUrl}${sessionPath(updateSession)}`, {
        method: 'PUT',
        headers: headersFor(await tokenOf(p)),
        body: JSON.stringify({
          members: { me: { constants: { system: { xuid } }, properties: { system: { active: true } } } },
        }),
      });
      if (response.status >= 300) throw new Error(`setup join answered ${response.status}: ${await response.text()}`);
    }
    // Request n: member n % 100 writes its own property and its own custom key, both set to n.
    request = {
      method: 'PUT',
      setupRequest: (r) => {
        const n = next++;
        const member = n % SESSION_SIZE;
        return {
          ...r,
          path: sessionPath(updateSession),
          headers: headersFor(tokens.get(member) as string),
          body: JSON.stringify({
            members: { me: { properties: { custom: { n } } } },
            properties: { custom: { [`m${member}`]: n } },
          }),
        };
      },
    };
  }

  console.log(`${scenario}: ${baseUrl}, ${connections} connections, at most ${duration} s and ${amount} requests`);
  // `amount` would make autocannon ignore the duration; maxOverallRequests keeps both bounds.
  const result = await autocannon({
    url: baseUrl,
    connections,
    duration,
    maxOverallRequests: amount,
    requests: [request],
  });
  const statuses = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]));
  console.log(
    `requests/s: mean ${result.requests.average.toFixed(0)}, p50 ${result.requests.p50}, min ${result.requests.min}, max ${result.requests.max}`,
  );
  console.log(
    `latency ms: p50 ${result.latency.p50}, p97.5 ${result.latency.p97_5}, p99 ${result.latency.p99}, max ${result.latency.max}`,
  );
  console.log(
    `statuses: ${JSON.stringify(statuses)}; errors ${result.errors}, timeouts ${result.timeouts}, ${result.duration.toFixed(1)} s`,
  );

  // What the run left in the store: every session whole, no member twice, nothing over 100.
  if (scenario === 'join') {
    const sessions = Math.ceil(next / SESSION_SIZE);
    let members = 0;
    for (let s = 0; s < sessions; s += 1) {
      // Read as the session's first player: one GET per identity stays inside MPSD's per-user limits.
      const session = await getSession(baseUrl, await tokenOf(s * SESSION_SIZE), `load-${run}-${s}`);
      const count = session === undefined ? 0 : Object.keys(session.members).length;
      if (count > SESSION_SIZE) throw new Error(`load-${run}-${s} holds ${count} members`);
      members += count;
    }
    const admitted = (statuses['200'] ?? 0) + (statuses['201'] ?? 0);
    const unconfirmed = statuses['503'] ?? 0;
    console.log(`stored: ${members} members in ${sessions} sessions; ${admitted} joins answered 2xx`);
    // A 503 after a write whose answer was lost may have stored its join (README, "What a 503 guarantees").
    if (members < admitted || members > admitted + unconfirmed) {
      throw new Error('the stored members do not match the joins told yes');
    }
  } else {
    const session = await getSession(baseUrl, await tokenOf(SESSION_SIZE - 1), updateSession);
    console.log(
      `stored: changeNumber ${session?.changeNumber}, ${Object.keys(session?.properties.custom ?? {}).length} custom keys`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
