// The session explorer: wires the page's forms to the public API (api.js), draws a session (session-view.js) and
// keeps it current (live.js). State lives here and in the address bar (?scid=…), nowhere else; the token stays in
// this page's memory only.

import { Api, listingPath, sessionPath } from './api.js';
import { changedPaths, touches } from './json-diff.js';
import { Poller, RealTimeLink, tapResourceOf } from './live.js';
import {
  countdown,
  h,
  renderHandles,
  renderJson,
  renderMembers,
  renderRoles,
  renderSummary,
  renderTimers,
} from './session-view.js';

const $ = (id) => document.getElementById(id);

/** The API's base: this page's own origin and path prefix (a custom domain may mount the API below a path). */
const apiBase = `${location.origin}${location.pathname.replace(/\/explorer\/?$/, '')}`;
const params = new URLSearchParams(location.search);
/** Seconds between conditional GETs of the open session; `?poll=0` leaves it to shoulder taps alone. */
const pollSeconds = params.has('poll') ? Number(params.get('poll')) : 2;

const state = {
  authorization: '',
  /** The listing's pages: the continuation token that fetched each page (undefined for the first). */
  pageTokens: [undefined],
  page: 0,
  filter: undefined,
  /** The open session: its reference, its document and ETag. */
  ref: undefined,
  doc: undefined,
  etag: undefined,
  handles: undefined,
  handlesNote: undefined,
};

const api = new Api(apiBase, () => state.authorization);

// ---- the answer panel: every action's request and answer, as sent and received

function showAnswer(answer, note) {
  const body =
    answer.body === undefined
      ? '(no body)'
      : typeof answer.body === 'string'
        ? answer.body
        : JSON.stringify(answer.body, null, 2);
  const headers = Object.entries(answer.headers).map(([name, value]) => `${name}: ${value}`);
  $('answer').replaceChildren(
    h('p', {}, h('strong', {}, `${answer.method} ${answer.path}`), ` → ${answer.status} ${answer.statusText}`),
    note ? h('p', {}, note) : '',
    answer.requestBody === undefined ? '' : h('p', {}, 'Sent: ', h('code', {}, JSON.stringify(answer.requestBody))),
    headers.length === 0 ? '' : h('pre', { class: 'headers' }, headers.join('\n')),
    h('pre', { class: 'json', tabindex: '0' }, body),
  );
}

const ok = (answer) => answer.status >= 200 && answer.status < 300;

// ---- the token: pasted, or on a local service minted by the local-only development route

async function useLocalDevelopmentToken() {
  let response;
  try {
    response = await fetch(`${apiBase}/explorer/development-token`, { cache: 'no-store' });
  } catch {
    return;
  }
  if (response.status !== 200) {
    $('token-status').textContent = 'Paste a token allowed to read this SCID (a server principal sees every session).';
    return;
  }
  const { authorization } = await response.json();
  $('token').value = authorization;
  setToken(authorization, 'Signed in with the local development server token (npm start minted it).');
}

function setToken(value, note) {
  state.authorization = value.trim();
  $('token-status').textContent = note ?? (state.authorization ? 'Token set.' : 'No token.');
  live?.stop();
  if (state.authorization) startLive();
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  setToken($('token').value);
});

// ---- live changes: the page's own RTA connection (taps), and a conditional GET while a session is open

let live;
let settings;

async function startLive() {
  try {
    settings ??= await fetch(`${apiBase}/explorer/settings.json`, { cache: 'no-store' }).then((r) => r.json());
  } catch (error) {
    $('live-status').textContent = `RTA not connected: the page's settings could not be read (${error.message})`;
    return;
  }
  live = new RealTimeLink({
    api,
    realTimeUrl: settings.realTimeUrl,
    onStatus: (text, connectionId) => {
      $('live-status').textContent =
        `RTA ${text}${pollSeconds > 0 ? `; the open session is also read every ${pollSeconds} s` : ''}`;
      $('connection-id').textContent = connectionId ? `(ConnectionId ${connectionId})` : '';
    },
    onTaps: (taps) => {
      if (state.ref === undefined) return;
      const mine = tapResourceOf(state.ref);
      if (taps.some((tap) => tap.resource === '*' || String(tap.resource).toLowerCase() === mine)) {
        void refreshSession('a shoulder tap');
      }
    },
  });
  await live.start();
}

const poller = new Poller(pollSeconds, () => refreshSession('polling', { conditional: true }));

// ---- the listing

function readFilter() {
  const take = Number($('take').value);
  return {
    scid: $('scid').value.trim(),
    template: $('template').value.trim(),
    xuid: $('xuid').value.trim(),
    keyword: $('keyword').value.trim(),
    take: Number.isInteger(take) && take >= 1 && take <= 100 ? take : 20,
  };
}

$('filter-form').addEventListener('submit', (event) => {
  event.preventDefault();
  state.filter = readFilter();
  state.pageTokens = [undefined];
  state.page = 0;
  const query = new URLSearchParams(location.search);
  query.set('scid', state.filter.scid);
  history.replaceState(null, '', `${location.pathname}?${query}`);
  void loadPage();
});

$('next-page').addEventListener('click', () => {
  state.page += 1;
  void loadPage();
});
$('previous-page').addEventListener('click', () => {
  state.page = Math.max(0, state.page - 1);
  void loadPage();
});

async function loadPage() {
  const filter = { ...state.filter, continuationToken: state.pageTokens[state.page] };
  const answer = await api.request('GET', listingPath(filter));
  if (!ok(answer)) {
    showAnswer(answer, 'The listing was refused.');
    $('listing').replaceChildren(
      h('p', {}, `The listing answered ${answer.status}: ${answer.body?.message ?? answer.statusText}`),
    );
    return;
  }
  const results = Array.isArray(answer.body?.results) ? answer.body.results : [];
  const next = answer.body?.continuationToken;
  state.pageTokens[state.page + 1] = next;
  $('next-page').disabled = typeof next !== 'string';
  $('previous-page').disabled = state.page === 0;
  $('page-number').textContent = `Page ${state.page + 1}`;
  $('listing').replaceChildren(renderListing(results));
}

const yesNo = (value) => (value === true ? 'yes' : value === false ? 'no' : '—');

function renderListing(results) {
  if (results.length === 0) return h('p', {}, 'No sessions match.');
  return h(
    'table',
    { class: 'listing' },
    h('caption', {}, `Sessions on page ${state.page + 1}`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Session', 'Template', 'Members', 'Visibility', 'Closed', 'Locked', 'Change', 'Last change', 'Started'].map(
          (label) => h('th', { scope: 'col' }, label),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      results.map((entry) => {
        const ref = entry.sessionRef ?? {};
        const members = entry.membersCount === undefined ? (entry.accepted ?? '—') : entry.membersCount;
        return h(
          'tr',
          {},
          h(
            'th',
            { scope: 'row' },
            h('button', { type: 'button', class: 'link', onclick: () => void openSession(ref) }, ref.name ?? '?'),
          ),
          h('td', {}, ref.templateName ?? '—'),
          h('td', {}, entry.maxMembersCount === undefined ? String(members) : `${members} / ${entry.maxMembersCount}`),
          h('td', {}, entry.visibility ?? '—'),
          h('td', {}, yesNo(entry.closed)),
          h('td', {}, yesNo(entry.locked)),
          h('td', {}, entry.changeNumber ?? '—'),
          h('td', {}, entry.lastChange ?? '—'),
          h('td', {}, entry.startTime ?? '—'),
        );
      }),
    ),
  );
}

// ---- one session

async function openSession(ref) {
  state.ref = { scid: ref.scid, templateName: ref.templateName, name: ref.name };
  state.doc = undefined;
  state.etag = undefined;
  state.handles = undefined;
  const answer = await api.request('GET', sessionPath(state.ref));
  showAnswer(answer);
  applySessionAnswer(answer, undefined);
  $('session-placeholder').hidden = true;
  $('session-body').hidden = false;
  $('session').focus();
  poller.start();
  void loadHandles();
}

/**
 * Reads the open session again and redraws what changed. `conditional`: with If-None-Match, so an unchanged session
 * costs a 304 and redraws nothing. `why` names what asked for it (a tap, polling, an action).
 */
async function refreshSession(why, { conditional = false } = {}) {
  if (state.ref === undefined) return;
  const headers = conditional && state.etag ? { 'If-None-Match': state.etag } : {};
  const answer = await api.request('GET', sessionPath(state.ref), { headers });
  if (answer.status === 304) return;
  applySessionAnswer(answer, why);
}

/** Takes a session answer (GET, or a write's answer carrying the session) as the open session's new state. */
function applySessionAnswer(answer, why) {
  if (answer.status === 204) {
    state.doc = undefined;
    state.etag = undefined;
    poller.stop();
    $('changes').textContent = `The session does not exist (204)${why ? `, seen through ${why}` : ''}.`;
    drawSession([]);
    return;
  }
  if (answer.status !== 200 && answer.status !== 201 && answer.status !== 412) {
    if (why === 'polling') return;
    $('changes').textContent =
      `Reading the session answered ${answer.status}: ${answer.body?.message ?? answer.statusText}`;
    return;
  }
  const before = state.doc;
  // An answer can arrive after a newer one (a poll sent before an action, answered after it): a session never goes
  // back in its changeNumber (family spec §6.8), so an older document of the same session is stale and dropped.
  if (
    before !== undefined &&
    answer.body?.correlationId === before.correlationId &&
    Number(answer.body?.changeNumber) < Number(before.changeNumber)
  ) {
    return;
  }
  state.doc = answer.body;
  state.etag = answer.headers.etag;
  const changed = before === undefined ? [] : changedPaths(before, state.doc);
  if (before !== undefined && changed.length > 0) {
    $('changes').textContent =
      `Change ${state.doc.changeNumber}, seen through ${why ?? 'the answer'}: ${changed.join(', ')}`;
  } else if (before === undefined) {
    $('changes').textContent = '';
  }
  drawSession(changed, before === undefined);
  if (changed.some((path) => path.startsWith('members'))) void loadHandles();
}

/** Draws the open session; `first`: it was just opened, so the editors take its values whatever they hold. */
function drawSession(changed, first = true) {
  const ref = state.ref;
  $('session-ref').textContent = `${ref.scid} / ${ref.templateName} / ${ref.name}`;
  const doc = state.doc;
  const parts = ['summary', 'timers', 'roles', 'members', 'system-properties', 'servers', 'raw'];
  if (doc === undefined) {
    for (const id of parts) $(id).replaceChildren();
    $('summary').replaceChildren(h('p', {}, 'The session is gone.'));
    return;
  }
  $('summary').replaceChildren(renderSummary(doc, { etag: state.etag }, changed));
  $('timers').replaceChildren(renderTimers(doc, changed));
  $('roles').replaceChildren(renderRoles(doc, changed));
  $('members').replaceChildren(renderMembers(doc, changed, removeMember));
  $('system-properties').replaceChildren(renderJson(doc.properties?.system, changed, 'properties.system'));
  $('servers').replaceChildren(renderJson(doc.servers, changed, 'servers'));
  $('raw').replaceChildren(renderJson(doc, [], ''));
  $('handles').replaceChildren(renderHandles(state.handles, state.handlesNote));
  // The editors keep what the tester is typing or ticking: they follow the session when it is opened and when the
  // value they edit changes, not on every redraw.
  const follows = (path) => first || touches(changed, path);
  if (follows('properties.custom') && document.activeElement !== $('custom')) {
    $('custom').value = JSON.stringify(doc.properties?.custom ?? {}, null, 2);
  }
  if (follows('properties.system.closed')) $('closed').checked = doc.properties?.system?.closed === true;
  if (follows('properties.system.locked')) $('locked').checked = doc.properties?.system?.locked === true;
}

/** The members' live activity handles on this session: POST /handles/query by their xuids. */
async function loadHandles() {
  const doc = state.doc;
  if (doc === undefined) return;
  const xuids = Object.values(doc.members ?? {})
    .map((m) => m.constants?.system?.xuid)
    .filter((x) => typeof x === 'string');
  if (xuids.length === 0) {
    state.handles = [];
  } else {
    const answer = await api.request('POST', '/handles/query', {
      body: { type: 'activity', scid: state.ref.scid, owners: { xuids } },
    });
    if (ok(answer) && Array.isArray(answer.body?.results)) {
      const ref = state.ref;
      state.handles = answer.body.results.filter(
        (handle) =>
          String(handle.sessionRef?.name).toLowerCase() === ref.name.toLowerCase() &&
          String(handle.sessionRef?.templateName).toLowerCase() === ref.templateName.toLowerCase(),
      );
    } else {
      state.handles = undefined;
      state.handlesNote = `POST /handles/query answered ${answer.status}.`;
    }
  }
  $('handles').replaceChildren(renderHandles(state.handles, state.handlesNote));
}

// ---- what QA may do by hand, each one request with its answer shown

async function removeMember(index, name) {
  const answer = await api.request('DELETE', `${sessionPath(state.ref)}/members/${encodeURIComponent(index)}`);
  showAnswer(answer, `Remove member ${index} (${name}).`);
  if (ok(answer) || answer.status === 412) applySessionAnswer(answer, 'your removal');
}

$('custom-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  let edited;
  try {
    edited = JSON.parse($('custom').value);
  } catch (error) {
    $('answer').replaceChildren(h('p', {}, `Not sent: the custom properties are not JSON (${error.message}).`));
    return;
  }
  if (edited === null || typeof edited !== 'object' || Array.isArray(edited)) {
    $('answer').replaceChildren(h('p', {}, 'Not sent: the custom properties must be a JSON object.'));
    return;
  }
  // Properties merge key by key and null deletes (session spec §2.6): a key the tester removed is sent as null.
  const custom = { ...edited };
  for (const key of Object.keys(state.doc?.properties?.custom ?? {})) if (!(key in edited)) custom[key] = null;
  await writeProperties({ custom }, 'Save custom properties.');
  $('custom').blur();
});

$('apply-joinability').addEventListener('click', () => {
  const closed = $('closed').checked;
  const locked = $('locked').checked;
  void writeProperties({ system: { closed, locked } }, `Closed: ${closed}, locked: ${locked}.`);
});

async function writeProperties(body, note) {
  const headers = state.etag ? { 'If-Match': state.etag } : {};
  const answer = await api.request('PUT', `${sessionPath(state.ref)}/properties`, { body, headers });
  showAnswer(answer, note);
  if (ok(answer) || answer.status === 412) applySessionAnswer(answer, 'your change');
}

$('end-session').addEventListener('click', () => {
  const count = Object.keys(state.doc?.members ?? {}).length;
  const empty = state.doc === undefined ? 0 : state.doc.constants?.system?.sessionEmptyTimeout;
  $('end-text').textContent =
    `MPSD has no delete: a session ends when its last member goes. This removes all ${count} members in one PUT ` +
    `(If-Match the version shown). ${empty === 0 || empty === undefined ? 'The session is then deleted at once.' : 'The session is then deleted when its sessionEmptyTimeout runs out.'}`;
  $('end-dialog').showModal();
});

$('end-dialog').addEventListener('close', async () => {
  if ($('end-dialog').returnValue !== 'end' || state.doc === undefined) return;
  const members = Object.fromEntries(Object.keys(state.doc.members ?? {}).map((index) => [index, null]));
  const answer = await api.request('PUT', sessionPath(state.ref), {
    body: { members },
    headers: state.etag ? { 'If-Match': state.etag } : {},
  });
  showAnswer(answer, 'End the session: every member removed.');
  if (ok(answer) || answer.status === 412) applySessionAnswer(answer, 'your change');
});

$('open-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void openSession({
    scid: $('scid').value.trim(),
    templateName: $('open-template').value.trim(),
    name: $('open-name').value.trim(),
  });
});

$('refresh').addEventListener('click', () => void refreshSession('Refresh'));

// ---- the clock: countdowns tick once a second

setInterval(() => {
  const now = Date.now();
  for (const element of document.querySelectorAll('[data-deadline]')) {
    element.textContent = countdown(Number(element.dataset.deadline), now);
  }
}, 1000);

// ---- start

$('scid').value = params.get('scid') ?? '';
void useLocalDevelopmentToken();
