import { decideSearchHandleChange } from '../../../lambda/domain/session/search-handle-field';
import type { SessionDocument } from '../../../lambda/domain/session-document';
import { activeJoin, context, put, sessionOf, T0, user } from '../domain-fixtures';

// The session's searchHandle field (spec/mpsd-family.md §4.6, §3.8): the commit point of a search handle's POST and
// DELETE, a session change like any other.

const HOST = '2533274790395904';
function session(searchHandle?: string): SessionDocument {
  const doc = sessionOf(put(undefined, activeJoin(HOST), context(user(HOST))));
  return searchHandle === undefined ? doc : { ...doc, searchHandle };
}
const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

describe('decideSearchHandleChange', () => {
  it.each([
    ['set on a session without one', undefined, { set: A }, A],
    ['set replacing another', B, { set: A }, A],
    ['clear of the handle it names', A, { clear: A }, undefined],
  ])('writes %s, with the change number one higher', (_what, before, change, after) => {
    const document = session(before);
    const decision = decideSearchHandleChange({ kind: 'session', document }, change, T0);
    expect(decision.answer).toBe('changed');
    if (!('write' in decision) || decision.write.kind !== 'session') throw new Error('expected a session write');
    expect(decision.write.document.searchHandle).toBe(after);
    expect(decision.write.document.changeNumber).toBe(document.changeNumber + 1);
    expect(decision.write.document.members).toEqual(document.members);
  });

  it.each([
    ['set of the handle it already names', A, { set: A }],
    ['clear of a handle it no longer names (a newer one stays)', B, { clear: A }],
    ['clear on a session without one', undefined, { clear: A }],
  ])('writes nothing for %s', (_what, before, change) => {
    expect(decideSearchHandleChange({ kind: 'session', document: session(before) }, change, T0)).toEqual({
      answer: 'unchanged',
    });
  });

  it('writes nothing on a session that is gone', () => {
    expect(decideSearchHandleChange(undefined, { set: A }, T0)).toEqual({ answer: 'gone' });
    expect(decideSearchHandleChange({ kind: 'deleted', correlationId: 'c', changeNumber: 3 }, { set: A }, T0)).toEqual({
      answer: 'gone',
    });
  });
});
