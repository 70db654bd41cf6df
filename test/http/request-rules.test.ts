import { checkContentType } from '../../lambda/http/content-type';
import { readContractVersion } from '../../lambda/http/contract-version';
import { readNoCommit } from '../../lambda/http/nocommit';
import { refusalThrownBy } from '../support/refusal';

// The request-header and query rules (spec §1.2, §1.4), one table each.

describe('x-xbl-contract-version', () => {
  it.each([
    ['107', 107],
    ['105', 105],
    ['104', 104],
    [' 107 ', 107],
  ])('accepts %j as %i', (header, version) => {
    expect(readContractVersion(header)).toBe(version);
  });

  it.each([['0x6b'], ['107.0'], ['1.07e2'], ['+107'], ['0107'], ['106'], ['100'], ['abc'], ['107,107']])(
    'refuses %j with 400 saying what is accepted',
    (header) => {
      const error = refusalThrownBy(() => readContractVersion(header));
      expect(error.code).toBe('UnsupportedContractVersion');
      expect(error.message).toMatch(/send exactly 107 \(104 and 105 are also accepted\)/);
    },
  );

  it.each([[undefined], [''], ['  ']])('answers %j with MissingContractVersion', (header) => {
    expect(refusalThrownBy(() => readContractVersion(header)).code).toBe('MissingContractVersion');
  });
});

describe('Content-Type', () => {
  const long = ' '.repeat(10_000);
  it.each([
    ['application/json', true],
    ['Application/JSON', true],
    ['application/json; charset=utf-8', true],
    ['application/json;charset=UTF-8', true],
    ['application/json; charset="utf-8"', true],
    ['application/json ; charset = utf-8 ;', true],
    ['application/json;', true],
    [`application/json${long}`, true],
    [`application/json;${long}charset=utf-8${long}`, true],
    ['application/json;;', false],
    ['application/json; charset=utf-8;;', false],
    ['application/json; charset=latin1', false],
    ['application/json; charset=utf-8=x', false],
    ['application/json; boundary=x', false],
    ['application/jsonx', false],
    ['text/plain', false],
    [`application/json${long}x`, false],
    [`application/json;${long};${long}x`, false],
  ])('PUT with a body: %j accepted %s', (contentType, accepted) => {
    const run = () => checkContentType('PUT', contentType, true);
    if (accepted) expect(run).not.toThrow();
    else expect(refusalThrownBy(run).code).toBe('UnsupportedMediaType');
  });

  it.each([
    ['GET', undefined, false, true],
    ['PUT', undefined, false, true],
    ['PUT', '', false, true],
    ['PUT', undefined, true, false],
    ['GET', 'text/html', false, false],
  ] as const)('%s with %j (body %s) accepted %s', (method, contentType, hasBody, accepted) => {
    const run = () => checkContentType(method, contentType, hasBody);
    if (accepted) expect(run).not.toThrow();
    else expect(refusalThrownBy(run).code).toBe('UnsupportedMediaType');
  });
});

describe('?nocommit', () => {
  it.each([
    [undefined, false],
    ['true', true],
    ['TRUE', true],
    ['True', true],
    ['false', false],
    ['False', false],
  ])('%j means %s', (value, noCommit) => {
    expect(readNoCommit(value)).toBe(noCommit);
  });

  it.each([['true,true'], ['true,false'], [''], ['1'], ['yes'], [' true']])('refuses %j with 400', (value) => {
    const error = refusalThrownBy(() => readNoCommit(value));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/send nocommit=true or nocommit=false, once/);
  });
});
