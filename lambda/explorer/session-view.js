// One session drawn for QA: its summary, timers, members, roles, properties, servers, handles and raw document.
// Everything a session holds came from players, so it is put on the page as text (textContent), never as markup.

import { touches } from './json-diff.js';

/** `h('td', {class: 'x'}, 'text', node)`: an element with attributes and children (strings become text). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** MPSD's default timeouts of contract 107, in ms (session spec §2.4), for a session whose constants leave one out. */
const DEFAULT_TIMEOUTS = {
  reservedRemovalTimeout: 30000,
  inactiveRemovalTimeout: 0,
  readyRemovalTimeout: 180000,
  sessionEmptyTimeout: 0,
};

/** A member's state as MPSD derives it (session spec §2.7.5): reserved, active, ready or inactive. */
export function memberStatus(member) {
  if (member.reserved === true) return 'reserved';
  const system = member.properties?.system ?? {};
  if (system.active === true) return 'active';
  if (system.ready === true) return 'ready';
  return 'inactive';
}

/** The timeout a session applies (ms), `null` for never, from its constants or MPSD's default. */
export function timeoutOf(doc, name) {
  const system = doc.constants?.system ?? {};
  if (name in system) return system[name];
  return DEFAULT_TIMEOUTS[name];
}

/** Which timeout runs for a member in each state. */
const TIMEOUT_OF_STATUS = {
  reserved: 'reservedRemovalTimeout',
  inactive: 'inactiveRemovalTimeout',
  ready: 'readyRemovalTimeout',
};

/**
 * The timer a member's state runs: its name, its length and, where the document says when it started, its deadline.
 * A reservation starts at the member's joinTime, so its deadline is exact. When an inactive or ready member entered
 * that state is not in the document; the session's nextTimer is the earliest deadline of all.
 */
export function memberTimer(doc, member) {
  const status = memberStatus(member);
  const name = TIMEOUT_OF_STATUS[status];
  if (name === undefined) return undefined;
  const timeout = timeoutOf(doc, name);
  if (timeout === null || timeout === undefined) return { name, timeout: null };
  const started = status === 'reserved' ? Date.parse(member.joinTime) : Number.NaN;
  return { name, timeout, ...(Number.isNaN(started) ? {} : { deadline: started + timeout }) };
}

/** "in 1 min 05 s", "due now" or "never": a deadline as a countdown at `now` (epoch ms). */
export function countdown(deadline, now) {
  if (deadline === undefined || deadline === null) return 'never';
  const seconds = Math.ceil((deadline - now) / 1000);
  if (seconds <= 0) return 'due now (the next read, write or sweep applies it)';
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return minutes > 0 ? `in ${minutes} min ${String(rest).padStart(2, '0')} s` : `in ${rest} s`;
}

function formatMs(ms) {
  if (ms === null) return 'never (null)';
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}

/** A live countdown: the clock in explorer.js refreshes every element with a data-deadline each second. */
function countdownElement(deadline) {
  return h('span', { class: 'countdown', 'data-deadline': deadline }, countdown(deadline, Date.now()));
}

function json(value) {
  return JSON.stringify(value, null, 2);
}

/** Marks the element as changed by the last refresh when `path` is among the changed paths. */
function mark(element, changed, path) {
  element.dataset.path = path;
  if (touches(changed, path)) element.classList.add('changed');
  return element;
}

/** The session's identity and state, as a description list. */
export function renderSummary(doc, meta, changed) {
  const system = doc.constants?.system ?? {};
  const props = doc.properties?.system ?? {};
  const rows = [
    ['Change number', doc.changeNumber, 'changeNumber'],
    ['ETag', meta.etag ?? '—', 'etag'],
    ['Started', doc.startTime ?? '—', 'startTime'],
    ['Correlation id', doc.correlationId ?? '—', 'correlationId'],
    ['Branch', doc.branch ?? '—', 'branch'],
    ['Visibility', system.visibility ?? 'open', 'constants.system.visibility'],
    [
      'Members',
      `${doc.membersInfo?.count ?? Object.keys(doc.members ?? {}).length} of ${system.maxMembersCount ?? 100}`,
      'membersInfo',
    ],
    ['Closed', props.closed === true ? 'yes' : 'no', 'properties.system.closed'],
    ['Locked', props.locked === true ? 'yes' : 'no', 'properties.system.locked'],
    ['Join restriction', props.joinRestriction ?? 'none', 'properties.system.joinRestriction'],
  ];
  return h(
    'dl',
    { class: 'summary' },
    rows.map(([term, value, path]) => mark(h('div', {}, h('dt', {}, term), h('dd', {}, String(value))), changed, path)),
  );
}

/** Every timer of the session: its next timer, the session-empty timer and each member's. */
export function renderTimers(doc, changed) {
  const items = [];
  const next = doc.nextTimer === undefined ? undefined : Date.parse(doc.nextTimer);
  items.push(
    mark(
      h('li', {}, 'Next timer: ', next === undefined ? 'none pending' : [doc.nextTimer, ' — ', countdownElement(next)]),
      changed,
      'nextTimer',
    ),
  );
  const empty = timeoutOf(doc, 'sessionEmptyTimeout');
  const memberCount = Object.keys(doc.members ?? {}).length;
  items.push(
    h(
      'li',
      {},
      `Session empty: ${formatMs(empty)} after the last member leaves`,
      memberCount === 0 && next !== undefined ? [' — the session ends ', countdownElement(next)] : '',
    ),
  );
  for (const [index, member] of Object.entries(doc.members ?? {})) {
    const timer = memberTimer(doc, member);
    if (timer === undefined) continue;
    const who = `Member ${index}${member.gamertag ? ` (${member.gamertag})` : ''}, ${memberStatus(member)}`;
    const text = `${who}: ${timer.name} ${formatMs(timer.timeout)}`;
    items.push(
      mark(
        h(
          'li',
          {},
          text,
          timer.deadline !== undefined
            ? [' — removed ', countdownElement(timer.deadline)]
            : timer.timeout === null
              ? ''
              : ' after it entered that state (not in the document; the next timer above is the earliest)',
        ),
        changed,
        `members.${index}`,
      ),
    );
  }
  return h('ul', { class: 'timers' }, items);
}

/** The members, one row each, with a Remove button (a server principal's DELETE …/members/{index}). */
export function renderMembers(doc, changed, onRemove) {
  const members = Object.entries(doc.members ?? {});
  if (members.length === 0) return h('p', {}, 'No members.');
  const rows = members.map(([index, member]) => {
    const name = member.gamertag || member.constants?.system?.xuid || `member ${index}`;
    const roles =
      member.roles === undefined
        ? '—'
        : Object.entries(member.roles)
            .map(([t, r]) => `${t}: ${r}`)
            .join(', ');
    const custom = member.properties?.custom ?? {};
    return mark(
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, index),
        h('td', {}, member.gamertag ?? '—'),
        h('td', {}, member.constants?.system?.xuid ?? '—'),
        h('td', {}, h('span', { class: `status status-${memberStatus(member)}` }, memberStatus(member))),
        h('td', {}, member.joinTime ?? '—'),
        h('td', {}, roles),
        h('td', {}, h('code', {}, Object.keys(custom).length === 0 ? '{}' : JSON.stringify(custom))),
        h(
          'td',
          {},
          h(
            'button',
            {
              type: 'button',
              class: 'danger',
              'aria-label': `Remove member ${index} (${name})`,
              onclick: () => onRemove(index, name),
            },
            'Remove',
          ),
        ),
      ),
      changed,
      `members.${index}`,
    );
  });
  return h(
    'table',
    { class: 'members' },
    h('caption', {}, `Members (${members.length})`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Index', 'Gamertag', 'Xuid', 'State', 'Joined', 'Roles', 'Custom properties', 'Action'].map((label) =>
          h('th', { scope: 'col' }, label),
        ),
      ),
    ),
    h('tbody', {}, rows),
  );
}

/** Role types with their roles' limits and who holds them. */
export function renderRoles(doc, changed) {
  const roleTypes = Object.entries(doc.roleTypes ?? {});
  if (roleTypes.length === 0) return h('p', {}, 'No role types.');
  return h(
    'ul',
    {},
    roleTypes.map(([type, roleType]) =>
      mark(
        h(
          'li',
          {},
          h('strong', {}, type),
          h(
            'ul',
            {},
            Object.entries(roleType.roles ?? {}).map(([role, settings]) => {
              const holders = Object.entries(doc.members ?? {})
                .filter(([, m]) => m.roles?.[type] === role)
                .map(([i]) => i);
              return h(
                'li',
                {},
                `${role}: max ${settings.max ?? '—'}, target ${settings.target ?? '—'}, held by ${holders.length === 0 ? 'nobody' : `member ${holders.join(', ')}`}`,
              );
            }),
          ),
        ),
        changed,
        `roleTypes.${type}`,
      ),
    ),
  );
}

/** A JSON block for a part of the document (properties.system, servers), marked when it changed. */
export function renderJson(value, changed, path) {
  return mark(h('pre', { class: 'json', tabindex: '0' }, json(value ?? {})), changed, path);
}

/** The members' activity handles on this session (POST /handles/query answers them). */
export function renderHandles(handles, note) {
  if (handles === undefined) return h('p', {}, note ?? 'Not read.');
  if (handles.length === 0) return h('p', {}, 'No member has a live activity handle on this session.');
  return h(
    'ul',
    {},
    handles.map((handle) =>
      h('li', {}, `${handle.type} ${handle.id}, owner ${handle.ownerXuid ?? '—'}, created ${handle.createTime ?? '—'}`),
    ),
  );
}
