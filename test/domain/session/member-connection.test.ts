import { MpsdError } from '../../../lambda/domain/errors';
import { readMemberPropertiesChange } from '../../../lambda/domain/session/member-properties';

// family spec §6.6: `connection` is the RTA ConnectionId, a GUID; go-xsapi fails every read of a session holding
// anything else, so a write of anything else is refused (§7 item 24).
const CONSTANTS = { system: { connectionRequiredForActiveMembers: true }, custom: {} };
const read = (connection: unknown) =>
  readMemberPropertiesChange('members.me.properties', { system: { active: true, connection } } as never, CONSTANTS, 1);

describe('members.me.properties.system.connection', () => {
  it.each([
    ['a lower-case GUID', 'bc92f7c3-3f9d-4749-b852-ee9cd7cf68e2'],
    ['an upper-case GUID', '9042513B-D0CF-48F6-AF40-AD83B3C9EED4'],
    ['the nil GUID (XSAPI unit-test bodies send it)', '00000000-0000-0000-0000-000000000000'],
    ['null (removes it)', null],
  ])('accepts %s', (_name, value) => {
    expect(() => read(value)).not.toThrow();
  });

  it.each([
    ['an empty string', ''],
    ['a word', 'c1'],
    ['a GUID in braces', '{bc92f7c3-3f9d-4749-b852-ee9cd7cf68e2}'],
    ['a GUID without dashes', 'bc92f7c33f9d4749b852ee9cd7cf68e2'],
    ['a number', 42],
    ['an object', { id: 'bc92f7c3-3f9d-4749-b852-ee9cd7cf68e2' }],
  ])('refuses %s with 400 InvalidValue saying a GUID is needed', (_name, value) => {
    let caught: unknown;
    try {
      read(value);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MpsdError);
    expect((caught as MpsdError).status).toBe(400);
    expect((caught as MpsdError).code).toBe('InvalidValue');
    expect((caught as MpsdError).message).toMatch(/members\.me\.properties\.system\.connection must be a GUID/);
  });
});
