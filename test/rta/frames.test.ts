import { CONNECTIONS_RESOURCE, readSubscribedResource } from '../../lambda/rta/connections-resource';
import {
  encodeResync,
  encodeShoulderTapEvent,
  encodeSubscribeFailure,
  encodeSubscribeSuccess,
  encodeUnsubscribeReply,
  formatTapTimestamp,
  parseClientFrame,
  RTA_STATUS,
} from '../../lambda/rta/frames';
import { readExample, wireText } from '../support/rta-fixtures';

// The frame codec against the family spec's fixtures (§6.2, §6.3, §6.8): each builder reproduces its fixture byte
// for byte, and the parser reads every client frame the fixtures and captures show.

describe('frames the service sends reproduce the fixtures byte for byte', () => {
  const subscribeReply = readExample('family-rta-subscribe-reply.json').frame;
  const failure = readExample('family-rta-subscribe-reply-failure.json').frame;
  const unsubscribe = readExample('family-rta-unsubscribe.json').frames[1].frame;
  const xsapiTap = readExample('family-rta-event-shoulder-tap-xsapi.json').frame;
  const liveTap = readExample('family-rta-event-shoulder-tap-live.json').frame;
  const resync = readExample('family-rta-resync.json').frame;
  const connectionIdPayload = readExample('family-rta-connection-id-payload-xsapi.json').body;

  it.each([
    [
      'family-rta-subscribe-reply.json',
      () => encodeSubscribeSuccess(1, 0, { ConnectionId: 'd01a8c1b-2f83-4e03-9278-3048b480928f' }),
      subscribeReply,
    ],
    [
      'family-rta-subscribe-reply.json with the XSAPI payload',
      () => encodeSubscribeSuccess(1, 0, connectionIdPayload),
      subscribeReply,
    ],
    [
      'family-rta-subscribe-reply-failure.json',
      () => encodeSubscribeFailure(2, RTA_STATUS.unknownResource, 'Unknown resource'),
      failure,
    ],
    ['family-rta-unsubscribe.json (reply)', () => encodeUnsubscribeReply(5), unsubscribe],
    [
      'family-rta-event-shoulder-tap-xsapi.json',
      () => encodeShoulderTapEvent(xsapiTap[1], xsapiTap[2].ncid, xsapiTap[2].shoulderTaps),
      xsapiTap,
    ],
    [
      'family-rta-event-shoulder-tap-live.json',
      () => encodeShoulderTapEvent(liveTap[1], liveTap[2].ncid, liveTap[2].shoulderTaps),
      liveTap,
    ],
    ['family-rta-resync.json', () => encodeResync(), resync],
  ])('%s', (_name, build, fixture) => {
    expect(build()).toBe(wireText(fixture));
  });

  it('a tap entry built field by field has the live field order', () => {
    const entry = liveTap[2].shoulderTaps[0];
    const rebuilt = {
      timestamp: entry.timestamp,
      subscription: entry.subscription,
      resourceType: 'mpsd/session' as const,
      resource: entry.resource,
      branch: entry.branch,
      changeNumber: entry.changeNumber,
    };
    expect(encodeShoulderTapEvent(0, liveTap[2].ncid, [rebuilt])).toBe(wireText(liveTap));
  });

  it("the timestamp has the live service's 7 fractional digits", () => {
    expect(formatTapTimestamp(Date.parse('2024-08-07T20:35:09.011Z'))).toBe('2024-08-07T20:35:09.0110000Z');
  });
});

describe('frames clients send', () => {
  const subscribeRequest = readExample('family-rta-subscribe-request.json').frame;
  const unsubscribeRequest = readExample('family-rta-unsubscribe.json').frames[0].frame;

  it.each([
    [
      'the fixture subscribe',
      wireText(subscribeRequest),
      { kind: 'subscribe', sequence: 1, resource: CONNECTIONS_RESOURCE },
    ],
    [
      "friend-connect's subscribe (capture)",
      '[1,1,"https://sessiondirectory.xboxlive.com/connections/"]',
      { kind: 'subscribe', sequence: 1, resource: CONNECTIONS_RESOURCE },
    ],
    [
      "xbox-rta's sequence 0",
      `[1,0,"${CONNECTIONS_RESOURCE}"]`,
      { kind: 'subscribe', sequence: 0, resource: CONNECTIONS_RESOURCE },
    ],
    ['the largest sequence', `[1,4294967295,"x"]`, { kind: 'subscribe', sequence: 4294967295, resource: 'x' }],
    ['the fixture unsubscribe', wireText(unsubscribeRequest), { kind: 'unsubscribe', sequence: 5, subscriptionId: 0 }],
    [
      'an unsubscribe of an id never given',
      '[2,9,123456]',
      { kind: 'unsubscribe', sequence: 9, subscriptionId: 123456 },
    ],
  ])('reads %s', (_name, text, expected) => {
    expect(parseClientFrame(text)).toEqual(expected);
  });

  it.each([
    ['not JSON', 'hello'],
    ['JSON that is not an array', '{"type":1}'],
    ['an empty array', '[]'],
    ['an event (servers send those)', '[3,0,{}]'],
    ['a resync (servers send those)', '[4]'],
    ['an unknown type', '[9,1,"x"]'],
    ['a negative sequence', '[1,-1,"x"]'],
    ['a sequence above 32 bits', '[1,4294967296,"x"]'],
    ['a fractional sequence', '[1,1.5,"x"]'],
    ['a string sequence', '[1,"1","x"]'],
    ['a subscribe without a resource', '[1,1]'],
    ['an unsubscribe without an id', '[2,1]'],
    ['an unsubscribe with a string id', '[2,1,"0"]'],
  ])('ignores %s', (_name, text) => {
    expect(parseClientFrame(text).kind).toBe('ignored');
  });
});

describe('the connections resource (§6.5)', () => {
  it.each([
    [CONNECTIONS_RESOURCE, { kind: 'connections' }],
    ['https://sessiondirectory.xboxlive.com/connections', { kind: 'connections' }],
    ['HTTPS://SessionDirectory.XboxLive.com/Connections/', { kind: 'connections' }],
    [
      'https://sessiondirectory.xboxlive.com/connections/D01A8C1B-2F83-4E03-9278-3048B480928F',
      { kind: 'connections', reclaim: 'd01a8c1b-2f83-4e03-9278-3048b480928f' },
    ],
    ['https://social.xboxlive.com/users/xuid(2535400000000000)/friends', { kind: 'unknown' }],
    ['https://notify.xboxlive.com/users/xuid(1)/deviceId/current/titleId/2', { kind: 'unknown' }],
    ['https://sessiondirectory.xboxlive.com/connections/not-a-guid', { kind: 'unknown' }],
    ['https://sessiondirectory.xboxlive.com/handles/', { kind: 'unknown' }],
  ])('%s', (resource, expected) => {
    expect(readSubscribedResource(resource)).toEqual(expected);
  });
});
