import { type CpuProfile, selfDifferencePerOperation, summariseProfile } from '../../bench/profile-summary';

// The profile summary issue 12's throughput work read the servers' process with: a hand-made profile whose times are
// known, so every figure is checked against arithmetic, not against another run.

const frame = (functionName: string, lineNumber = 0) => ({ functionName, url: 'file:///x/app.js', lineNumber });

/** root -> handle -> parse (and handle -> handle, a recursion) ; root -> idle. */
const PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 5] },
    { id: 2, callFrame: frame('handle', 9), children: [3, 4] },
    { id: 3, callFrame: frame('parse', 19) },
    { id: 4, callFrame: frame('handle', 9) },
    { id: 5, callFrame: frame('(idle)') },
  ],
  // Each sample lasts until the next one: the delta that follows it.
  samples: [3, 3, 2, 4, 5],
  timeDeltas: [0, 100, 100, 50, 30, 20],
};

describe('the profile summary', () => {
  const summary = summariseProfile(PROFILE);

  it('charges each sample the time until the next one, to its own function', () => {
    expect(summary.totalUs).toBe(300);
    expect(summary.selfUs.get('parse /x/app.js:20')).toBe(200);
    expect(summary.selfUs.get('handle /x/app.js:10')).toBe(80);
    expect(summary.selfUs.get('(idle) /x/app.js:1')).toBe(20);
  });

  it('charges every function on the stack once per sample, recursion included', () => {
    expect(summary.inclusiveUs.get('handle /x/app.js:10')).toBe(280);
    expect(summary.inclusiveUs.get('(root) /x/app.js:1')).toBe(300);
  });

  it('compares two profiles per operation, the largest extra cost first', () => {
    // The other: parse 100, handle 180, idle 20 µs over 5 operations; this one: 200, 80, 20 over 10.
    const other = summariseProfile({ ...PROFILE, samples: [3, 2, 2, 2, 5] });
    expect(selfDifferencePerOperation(summary, 10, other, 5)).toEqual([
      { name: 'parse /x/app.js:20', aUs: 20, bUs: 20 },
      { name: '(idle) /x/app.js:1', aUs: 2, bUs: 4 },
      { name: 'handle /x/app.js:10', aUs: 8, bUs: 36 },
    ]);
  });
});
