import { freshRandomBytes, newRequestId, newTraceId, RANDOM_POOL_BYTES } from '../../local/api-gateway-event';

// The local server's request and trace ids are cut from a pool of random bytes (issue 12): each is well-formed and
// unique, across refills of the pool too.

describe('the ids of a local request', () => {
  const many = Math.ceil((3 * RANDOM_POOL_BYTES) / 22) + 7;

  it('are request ids in API Gateway shape, each one new, across refills of the pool', () => {
    const ids = Array.from({ length: many }, () => newRequestId());
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9+/]{14}==$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("are X-Ray trace ids of the request's second and 96 fresh bits", () => {
    const at = Date.parse('2026-11-29T12:00:00Z');
    const ids = Array.from({ length: many }, () => newTraceId(at));
    for (const id of ids) expect(id).toMatch(new RegExp(`^Root=1-${(at / 1000).toString(16)}-[0-9a-f]{24}$`));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('never hands out the same random bytes twice, nor bytes changed afterwards', () => {
    const first = freshRandomBytes(RANDOM_POOL_BYTES - 5);
    const copy = Buffer.from(first);
    // More than the pool has left: a new pool, and the first bytes stay as they were.
    const second = freshRandomBytes(10);
    expect(second.buffer === first.buffer && second.byteOffset < first.byteOffset + first.length).toBe(false);
    freshRandomBytes(RANDOM_POOL_BYTES);
    expect(first.equals(copy)).toBe(true);
    // A request larger than the pool is served whole.
    expect(freshRandomBytes(RANDOM_POOL_BYTES * 2)).toHaveLength(RANDOM_POOL_BYTES * 2);
  });
});
