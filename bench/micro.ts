// Per-call costs of `npm run bench` that issue 12 names (README, "Benchmarks"): token verification, exact-JSON parse
// and stringify of a large stored session, and the abort signal every store call carries. CPU microseconds per call,
// median and spread over rounds, in this process.
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';
import { jwtVerify } from 'jose';
import { DEVELOPMENT_TOKEN_SECRET, mintToken } from '../lambda/auth/development-token';
import { makeHmacTokenVerifier } from '../lambda/auth/token-verifier';
import { type JsonValue, parseExactJson, stringifyExactJson } from '../lambda/domain/json';
import { AttemptBudget } from '../lambda/service/attempt-budget';
import { DEFAULT_RETRY_POLICY } from '../lambda/service/retry-policy';
import { documentCompression } from '../lambda/store/item-codec';
import { stats } from './bench-kit';

export type Stat = { median: number; min: number; max: number };

/** CPU microseconds per call (user + system, every thread: WebCrypto works on the thread pool). */
async function microsPerCall(rounds: number, calls: number, fn: () => unknown): Promise<Stat> {
  const samples: number[] = [];
  for (let r = 0; r <= rounds; r += 1) {
    const start = process.cpuUsage();
    for (let c = 0; c < calls; c += 1) await fn();
    const used = process.cpuUsage(start);
    // The first round warms up.
    if (r > 0) samples.push((used.user + used.system) / calls);
  }
  return stats(samples);
}

export interface MicroFigures {
  readonly tokenVerifyUs: Stat;
  /** jose given the secret's raw bytes, as the verifier did before issue 12 (a WebCrypto import per call). */
  readonly tokenVerifyRawSecretUs: Stat;
  /** The stored document of a 100-member session (2 KB custom each): JSON.parse, parseExactJson, stringify. */
  readonly documentKb: number;
  readonly jsonParseUs: Stat;
  readonly exactParseUs: Stat;
  readonly jsonStringifyUs: Stat;
  readonly exactStringifyUs: Stat;
  /**
   * The same document compressed as the item codec stores it (its `documentCompression`) and back, with brotli
   * quality 1 (the format issue 12 wrote first) and with gzip level 1 (the format before).
   */
  readonly storedCompressUs: Stat;
  readonly storedDecompressUs: Stat;
  readonly brotliUs: Stat;
  readonly unbrotliUs: Stat;
  readonly gzipUs: Stat;
  readonly gunzipUs: Stat;
  /** One AttemptBudget, the options of two store calls (a PUT's read and write) and its release. */
  readonly budgetTwoCallsUs: Stat;
  /** What the budget used before its own timer: AbortSignal.timeout (created here; its firing 7 s later is not in it). */
  readonly abortSignalTimeoutUs: Stat;
  /** What a PUT's budget spent before issue 12: a timer signal per store call. */
  readonly twoAbortSignalsUs: Stat;
}

export async function measureMicro(rounds: number, documentText: string): Promise<MicroFigures> {
  const verify = makeHmacTokenVerifier({ secret: DEVELOPMENT_TOKEN_SECRET });
  const header = await mintToken({ xuid: '2533274790395904' });
  const token = header.slice(header.indexOf(';') + 1);
  const rawSecret = new TextEncoder().encode(DEVELOPMENT_TOKEN_SECRET);
  const options = { algorithms: ['HS256'], requiredClaims: ['exp'], clockTolerance: 30 };
  const document = parseExactJson(documentText) as JsonValue;
  const bytes = Buffer.from(documentText);
  const compressed = documentCompression.compress(bytes);
  // Brotli as the codec wrote it before zstd.
  const brotli = {
    params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT },
  };
  const brotlied = brotliCompressSync(bytes, brotli);
  const gzipped = gzipSync(bytes, { level: 1 });
  return {
    tokenVerifyUs: await microsPerCall(rounds, 1000, () => verify(header)),
    tokenVerifyRawSecretUs: await microsPerCall(rounds, 1000, () => jwtVerify(token, rawSecret, options)),
    documentKb: Buffer.byteLength(documentText) / 1024,
    jsonParseUs: await microsPerCall(rounds, 20, () => JSON.parse(documentText)),
    exactParseUs: await microsPerCall(rounds, 20, () => parseExactJson(documentText)),
    jsonStringifyUs: await microsPerCall(rounds, 20, () => JSON.stringify(document)),
    exactStringifyUs: await microsPerCall(rounds, 20, () => stringifyExactJson(document)),
    storedCompressUs: await microsPerCall(rounds, 20, () => documentCompression.compress(bytes)),
    storedDecompressUs: await microsPerCall(rounds, 20, () => documentCompression.decompress(compressed)),
    brotliUs: await microsPerCall(rounds, 20, () => brotliCompressSync(bytes, brotli)),
    unbrotliUs: await microsPerCall(rounds, 20, () => brotliDecompressSync(brotlied)),
    gzipUs: await microsPerCall(rounds, 20, () => gzipSync(bytes, { level: 1 })),
    gunzipUs: await microsPerCall(rounds, 20, () => gunzipSync(gzipped)),
    budgetTwoCallsUs: await microsPerCall(rounds, 2000, () => {
      const budget = new AttemptBudget(DEFAULT_RETRY_POLICY);
      budget.callOptions();
      budget.callOptions();
      budget.release();
    }),
    abortSignalTimeoutUs: await microsPerCall(rounds, 2000, () => AbortSignal.timeout(7000)),
    twoAbortSignalsUs: await microsPerCall(rounds, 2000, () => {
      AbortSignal.timeout(7000);
      AbortSignal.timeout(7000);
    }),
  };
}
