import { ROUTES, SESSION_TEMPLATES_SEGMENTS, sessionPathOf, toSessionPath } from '../../lambda/http/routes';

// One home for the session path's shape (sessionPathOf): the route template is the same path with its placeholders
// as the parts, so the route API Gateway matches and the path a session is named by cannot drift apart.

describe('the session path', () => {
  it.each(SESSION_TEMPLATES_SEGMENTS)('is the route template filled in, in the %s spelling', (segment) => {
    expect(toSessionPath(segment)).toBe(
      `/serviceconfigs/{scid}/${segment}/{sessionTemplateName}/sessions/{sessionName}`,
    );
    expect(ROUTES.some((route) => route.path === toSessionPath(segment))).toBe(true);
    const parts = { scid: '00000000-0000-0000-0000-00006c6f6361', templateName: 'lobby', name: 'game-1' };
    expect(sessionPathOf(parts, segment)).toBe(
      toSessionPath(segment)
        .replace('{scid}', parts.scid)
        .replace('{sessionTemplateName}', parts.templateName)
        .replace('{sessionName}', parts.name),
    );
  });

  it("is in the docs' spelling unless asked otherwise, and takes the parts verbatim", () => {
    expect(sessionPathOf({ scid: 's', templateName: 't', name: '{scid}%2F' })).toBe(
      '/serviceconfigs/s/sessiontemplates/t/sessions/{scid}%2F',
    );
  });
});
