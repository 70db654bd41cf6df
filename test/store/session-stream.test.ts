import type { SessionDocument } from '../../lambda/domain/session-document';
import { COMPRESS_ABOVE_BYTES, encodeItem } from '../../lambda/store/item-codec';
import { readSessionChange } from '../../lambda/store/session-stream';

// Stream records of the sessions table read back into session records, in both shapes they arrive in: a Lambda
// event source's (binary attributes as base64 text, times in epoch seconds) and the SDK's GetRecords (bytes, Dates).

const KEY = '00000000-0000-0000-0000-00006c6f6361#lobby#stream';

function documentOf(changeNumber: number, padding = ''): SessionDocument {
  return {
    branch: 'b0000000-0000-4000-8000-000000000001',
    changeNumber,
    correlationId: 'c0000000-0000-4000-8000-000000000000',
    startTime: '2026-11-29T00:00:00.000Z',
    constants: { system: {}, custom: {} },
    properties: { system: {}, custom: { padding } },
    members: {},
    nextMemberIndex: 0,
    servers: {},
  };
}

const image = (changeNumber: number, padding = '') =>
  encodeItem(KEY, { kind: 'session', document: documentOf(changeNumber, padding) }, changeNumber);

/** A Lambda event's image: the SDK's, with binary attributes as base64 text. */
function asLambdaImage(item: ReturnType<typeof image>) {
  return Object.fromEntries(
    Object.entries(item).map(([name, value]) => [
      name,
      value.B === undefined ? value : { B: Buffer.from(value.B).toString('base64') },
    ]),
  );
}

describe('a session stream record', () => {
  it('from GetRecords (the local poller) reads both images and the change time', () => {
    const change = readSessionChange(
      {
        eventName: 'MODIFY',
        dynamodb: {
          Keys: { pk: { S: KEY } },
          OldImage: image(1),
          NewImage: image(2),
          SequenceNumber: '100',
          ApproximateCreationDateTime: new Date('2026-11-29T12:00:00.000Z'),
        },
      },
      0,
    );
    expect(change).toMatchObject({
      sequenceNumber: '100',
      sessionKey: KEY,
      changedAt: Date.parse('2026-11-29T12:00:00Z'),
    });
    expect(change?.before).toMatchObject({ kind: 'session', document: { changeNumber: 1 } });
    expect(change?.after).toMatchObject({ kind: 'session', document: { changeNumber: 2 } });
  });

  it('from a Lambda event reads compressed (base64) documents and epoch-second times', () => {
    const padding = 'x'.repeat(COMPRESS_ABOVE_BYTES + 1);
    const change = readSessionChange(
      {
        eventName: 'INSERT',
        dynamodb: {
          Keys: { pk: { S: KEY } },
          NewImage: asLambdaImage(image(1, padding)),
          SequenceNumber: '7',
          ApproximateCreationDateTime: 1_795_953_600,
        },
      },
      0,
    );
    expect(change?.before).toBeUndefined();
    expect(change?.after).toMatchObject({ kind: 'session', document: { properties: { custom: { padding } } } });
    expect(change?.changedAt).toBe(1_795_953_600_000);
  });

  it('is no change when it is a REMOVE (the TTL collecting garbage) or has no key', () => {
    expect(
      readSessionChange({ eventName: 'REMOVE', dynamodb: { Keys: { pk: { S: KEY } }, OldImage: image(1) } }, 0),
    ).toBeUndefined();
    expect(readSessionChange({ eventName: 'MODIFY', dynamodb: {} }, 0)).toBeUndefined();
    expect(readSessionChange({ eventName: 'MODIFY' }, 0)).toBeUndefined();
  });

  it('is no change when it is a handle item (POST /handles writes them into the sessions table)', () => {
    // A friend-connect client posts an activity after every PUT: a handle item read as a session once stopped every
    // later tap (the batch failed to decode and was retried for ever).
    const handleItem = {
      handleId: { S: 'a0000000-0000-0000-0000-000000000001' },
      handle: { S: '{"type":"activity"}' },
    };
    for (const key of [
      'handle#a0000000-0000-0000-0000-000000000001',
      `activity#${KEY.split('#')[0]}#2533274790395904`,
    ]) {
      expect(
        readSessionChange(
          { eventName: 'INSERT', dynamodb: { Keys: { pk: { S: key } }, NewImage: { pk: { S: key }, ...handleItem } } },
          0,
        ),
      ).toBeUndefined();
    }
  });

  it('is no change when it is a finder item (the index of sessions by xuid and keyword, written by the finder)', () => {
    const key = `find#${KEY}#xuid:2533274790395904`;
    const finderItem = { finder: { S: `${KEY.split('#')[0]}#xuid:2533274790395904` }, finderStart: { S: 'x' } };
    expect(
      readSessionChange(
        { eventName: 'INSERT', dynamodb: { Keys: { pk: { S: key } }, NewImage: { pk: { S: key }, ...finderItem } } },
        0,
      ),
    ).toBeUndefined();
  });

  it('without a creation time is dated now', () => {
    expect(
      readSessionChange({ eventName: 'INSERT', dynamodb: { Keys: { pk: { S: KEY } }, NewImage: image(1) } }, 42)
        ?.changedAt,
    ).toBe(42);
  });
});
