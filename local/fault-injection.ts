import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { translateStoreError } from '../lambda/store/error-translation';
import type {
  ExpectedVersion,
  NewRecord,
  SessionStore,
  StoreCallOptions,
  StoredRecord,
  WriteResult,
} from '../lambda/store/session-store';

// Fault injection for tests and QA (README, "Fault injection"). It lives in local/, which nothing in lambda/ may
// import (.dependency-cruiser.cjs), so no Lambda bundle can contain it: only the local server (FAULT_INJECTION) and
// the tests wrap a store with it, through local/local-handlers.ts.

/** The faults a store call can meet, as fractions of calls (0..1). */
export interface FaultInjectionSetting {
  /** The call is refused as DynamoDB throttling (ProvisionedThroughputExceededException); nothing is applied. */
  readonly throttle: number;
  /** The call times out before DynamoDB applies it (the SDK's TimeoutError). */
  readonly timeout: number;
  /** Writes only: the write is applied, then its answer is lost (a TimeoutError after the fact). */
  readonly lostWrite: number;
  /** Seed of the random draw, so a failing run can be repeated. */
  readonly seed: number;
}

/** How many faults were injected, by kind. */
export interface FaultCounts {
  throttle: number;
  timeout: number;
  lostWrite: number;
  calls: number;
}

const KINDS = { throttle: 'throttle', timeout: 'timeout', 'lost-write': 'lostWrite', seed: 'seed' } as const;
const SYNTAX =
  'throttle:<fraction>,timeout:<fraction>,lost-write:<fraction>[,seed:<integer>] (fractions 0..1, sum <= 1)';

/**
 * Parses the FAULT_INJECTION setting, e.g. `throttle:0.2,timeout:0.05,lost-write:0.1,seed:7`; every part is optional.
 * An empty or absent setting means no fault injection (undefined).
 */
export function parseFaultInjection(text: string | undefined): FaultInjectionSetting | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const setting = { throttle: 0, timeout: 0, lostWrite: 0, seed: 1 };
  for (const part of text.split(',')) {
    const [name, value, extra] = part.trim().split(':');
    const field = KINDS[name as keyof typeof KINDS];
    const number = Number(value);
    if (
      field === undefined ||
      value === undefined ||
      extra !== undefined ||
      value.trim() === '' ||
      !Number.isFinite(number)
    ) {
      throw new Error(`FAULT_INJECTION part "${part}" is not understood; the syntax is ${SYNTAX}.`);
    }
    if (field === 'seed' ? !Number.isInteger(number) : number < 0 || number > 1) {
      throw new Error(`FAULT_INJECTION part "${part}" is out of range; the syntax is ${SYNTAX}.`);
    }
    setting[field] = number;
  }
  if (setting.throttle + setting.timeout + setting.lostWrite > 1) {
    throw new Error(`FAULT_INJECTION fractions add up to more than 1; the syntax is ${SYNTAX}.`);
  }
  return setting;
}

/** mulberry32: a small seeded generator, so an injected run (and the benchmarks' data) is repeatable. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function throttlingError(): Error {
  return new ProvisionedThroughputExceededException({
    message: 'Injected fault: the request rate for the table exceeds its throughput.',
    $metadata: { httpStatusCode: 400 },
  });
}

function timeoutError(): Error {
  const error = new Error('Injected fault: the DynamoDB request timed out.');
  error.name = 'TimeoutError';
  return error;
}

/**
 * A SessionStore that makes a chosen fraction of calls fail the way DynamoDB and the SDK fail, through the real
 * error mapping (translateStoreError), so the service's retry and 503 paths are exercised end to end.
 */
export class FaultInjectingSessionStore implements SessionStore {
  readonly counts: FaultCounts = { throttle: 0, timeout: 0, lostWrite: 0, calls: 0 };
  private readonly random: () => number;

  constructor(
    private readonly inner: SessionStore,
    private readonly setting: FaultInjectionSetting,
  ) {
    this.random = seededRandom(setting.seed);
  }

  async read(key: string, options?: StoreCallOptions): Promise<StoredRecord | undefined> {
    const fault = this.draw(false);
    if (fault !== undefined) this.fail(fault, 'GetItem');
    return this.inner.read(key, options);
  }

  async write(
    key: string,
    record: NewRecord,
    expected: ExpectedVersion,
    options?: StoreCallOptions,
  ): Promise<WriteResult> {
    const fault = this.draw(true);
    if (fault === 'lostWrite') {
      await this.inner.write(key, record, expected, options);
      this.fail(fault, 'PutItem');
    }
    if (fault !== undefined) this.fail(fault, 'PutItem');
    return this.inner.write(key, record, expected, options);
  }

  private draw(isWrite: boolean): 'throttle' | 'timeout' | 'lostWrite' | undefined {
    this.counts.calls += 1;
    const r = this.random();
    const { throttle, timeout, lostWrite } = this.setting;
    if (r < throttle) return 'throttle';
    if (r < throttle + timeout) return 'timeout';
    if (isWrite && r < throttle + timeout + lostWrite) return 'lostWrite';
    return undefined;
  }

  private fail(fault: 'throttle' | 'timeout' | 'lostWrite', action: 'GetItem' | 'PutItem'): never {
    this.counts[fault] += 1;
    return translateStoreError(fault === 'throttle' ? throttlingError() : timeoutError(), action);
  }
}

/** The `decorateStore` of makeLocalHandlers for a setting, or undefined when the setting is off. */
export function faultInjectionDecorator(
  setting: FaultInjectionSetting | undefined,
): ((store: SessionStore) => SessionStore) | undefined {
  return setting === undefined ? undefined : (store) => new FaultInjectingSessionStore(store, setting);
}
