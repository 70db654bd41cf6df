import { ROUTES, type Route, toSessionPath } from '../../lambda/http/routes';
import { createLocalServer } from '../../local/http-server';
import { makeRouter } from '../../local/router';

// The local router matches as API Gateway HTTP APIs do; over HTTP in test/local/http-server.test.ts.

const SESSION = '/serviceconfigs/s/sessiontemplates/t/sessions/n';

describe('makeRouter', () => {
  it('matches the method and every segment, and decodes the parameters', () => {
    const match = makeRouter(ROUTES)('PUT', '/serviceconfigs/s/sessionTemplates/my%20t/sessions/a%2Fb');
    expect(match?.route).toEqual({
      method: 'PUT',
      path: toSessionPath('sessionTemplates'),
      function: 'putSession',
      resource: 'session',
    });
    expect(match?.pathParameters).toEqual({ scid: 's', sessionTemplateName: 'my t', sessionName: 'a/b' });
  });

  it.each([
    ['another method', 'POST', SESSION],
    ['a HEAD request (a GET route does not answer HEAD)', 'HEAD', SESSION],
    ['an empty parameter', 'GET', '/serviceconfigs//sessiontemplates/t/sessions/n'],
    ['a trailing slash', 'GET', `${SESSION}/`],
    ['another casing of a literal', 'GET', '/ServiceConfigs/s/sessiontemplates/t/sessions/n'],
  ])('matches nothing for %s', (_case, method, path) => {
    expect(makeRouter(ROUTES)(method, path)).toBeUndefined();
  });

  it('prefers a literal segment to a parameter, as API Gateway picks the most specific route', () => {
    const routes: Route[] = [
      { method: 'GET', path: '/handles/{handleId}', function: 'byId', resource: 'session' },
      { method: 'GET', path: '/handles/query', function: 'query', resource: 'session' },
    ];
    expect(makeRouter(routes)('GET', '/handles/query')?.route.function).toBe('query');
    expect(makeRouter(routes)('GET', '/handles/h1')?.route.function).toBe('byId');
  });

  it('refuses a table with a route key twice or a greedy parameter', () => {
    const route = ROUTES[0] as Route;
    expect(() => makeRouter([route, route])).toThrow(/twice/);
    expect(() => makeRouter([{ ...route, path: '/files/{path+}' }])).toThrow(/greedy/);
  });
});

describe('createLocalServer', () => {
  it('refuses a route table naming a function it has no handler for', () => {
    const route: Route<'missing'> = { method: 'GET', path: '/x', function: 'missing', resource: 'session' };
    expect(() => createLocalServer({} as Record<'missing', never>, { routes: [route] })).toThrow(
      /No handler for 'missing'/,
    );
  });
});
