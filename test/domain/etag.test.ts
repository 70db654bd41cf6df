import { etagMatches, etagOf } from '../../lambda/domain/etag';

// One ETag names one document (spec §7.1): a commit, or a timer view of a commit (issue 8 item 3).
const BRANCH = '6f1c1c9e-0d1b-4f4e-9a57-3f1a2b3c4d5e';

describe('etagOf', () => {
  type Named = [branch: string, committedChangeNumber: number, uncommittedTimers: number];
  it.each<[string, Named, Named]>([
    ['a commit and the timer view that counts the same change number', [BRANCH, 6, 0], [BRANCH, 5, 1]],
    ['two timer views of one commit with different fired timers', [BRANCH, 5, 1], [BRANCH, 5, 2]],
    ['the same change number on two branches', [BRANCH, 5, 0], ['another-branch', 5, 0]],
    ['a timer view and the commit it was computed from', [BRANCH, 5, 1], [BRANCH, 5, 0]],
  ])('differs for %s', (_label, a, b) => {
    expect(etagOf(...a)).not.toBe(etagOf(...b));
  });

  it('is the same for the same commit and the same fired timers, in the unquoted GUID-like form', () => {
    expect(etagOf(BRANCH, 5, 2)).toBe(etagOf(BRANCH, 5, 2));
    expect(etagOf(BRANCH, 5)).toBe(etagOf(BRANCH, 5, 0));
    expect(etagOf(BRANCH, 5, 2)).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
  });

  it.each([
    ['verbatim', (e: string) => e, true],
    ['quoted', (e: string) => `"${e}"`, true],
    ['weak', (e: string) => `W/"${e}"`, true],
    ['lower-case', (e: string) => e.toLowerCase(), true],
    ['in a list', (e: string) => `"x", "${e}"`, true],
    ['another ETag', () => etagOf(BRANCH, 6), false],
  ])('etagMatches with the %s form answers %s', (_label, form, matches) => {
    const etag = etagOf(BRANCH, 5, 1);
    expect(etagMatches(form(etag), etag)).toBe(matches);
  });
});
