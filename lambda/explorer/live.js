// How the page hears of changes: its own real-time activity (RTA) socket, and a conditional GET as a fallback.
//
// RTA (family spec §6): a browser cannot put an Authorization header on a WebSocket, so the page first asks
// GET /nonce (with the header) for a one-use nonce and connects with ?nonce=<value>. It subscribes to MPSD's
// connections resource and gets a ConnectionId. Shoulder taps go to the connections that members of a session wrote
// into it: a server principal, which is no member, is never tapped. So while a session is open the page also asks
// for it with If-None-Match every few seconds (a 304 costs one read); either way a change redraws and highlights it.

/** MPSD's RTA resource for the ConnectionId (family spec §6.5). */
export const CONNECTIONS_RESOURCE = 'https://sessiondirectory.xboxlive.com/connections/';

/** Seconds before the socket is opened again after it closed. */
const RECONNECT_SECONDS = 5;

/** The `resource` of a shoulder tap naming this session: scid~template~name, compared without letter case. */
export function tapResourceOf(ref) {
  return `${ref.scid}~${ref.templateName}~${ref.name}`.toLowerCase();
}

/**
 * The page's RTA connection. `onStatus(text, connectionId)` reports its state; `onTaps(taps)` receives each shoulder
 * tap event's entries. Reconnects after a close until stopped.
 */
export class RealTimeLink {
  constructor({ api, realTimeUrl, onStatus, onTaps }) {
    this.api = api;
    this.realTimeUrl = realTimeUrl;
    this.onStatus = onStatus;
    this.onTaps = onTaps;
    this.socket = undefined;
    this.stopped = false;
    this.timer = undefined;
    this.subscriptionId = undefined;
  }

  async start() {
    this.stopped = false;
    clearTimeout(this.timer);
    const answer = await this.api.request('GET', '/nonce');
    if (this.stopped) return;
    if (answer.status !== 200 || typeof answer.body?.nonce !== 'string') {
      const why = answer.body?.message ?? answer.statusText;
      this.onStatus(`not connected: GET /nonce answered ${answer.status} ${why ?? ''}`.trim(), undefined);
      return;
    }
    const separator = this.realTimeUrl.includes('?') ? '&' : '?';
    const socket = new WebSocket(`${this.realTimeUrl}${separator}nonce=${encodeURIComponent(answer.body.nonce)}`);
    this.socket = socket;
    this.onStatus('connecting…', undefined);
    socket.addEventListener('open', () => socket.send(JSON.stringify([1, 1, CONNECTIONS_RESOURCE])));
    socket.addEventListener('message', (event) => this.receive(event.data));
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket) return;
      this.subscriptionId = undefined;
      if (this.stopped) return;
      this.onStatus(`closed (code ${event.code}); reconnecting in ${RECONNECT_SECONDS} s`, undefined);
      this.timer = setTimeout(() => void this.start(), RECONNECT_SECONDS * 1000);
    });
  }

  receive(data) {
    let frame;
    try {
      frame = JSON.parse(String(data));
    } catch {
      return;
    }
    if (!Array.isArray(frame)) return;
    if (frame[0] === 1 && frame[2] === 0 && typeof frame[4]?.ConnectionId === 'string') {
      this.subscriptionId = frame[3];
      this.onStatus('connected', frame[4].ConnectionId);
    } else if (frame[0] === 1) {
      this.onStatus(`subscription refused: ${JSON.stringify(frame.slice(2))}`, undefined);
    } else if (frame[0] === 3 && frame[1] === this.subscriptionId && Array.isArray(frame[2]?.shoulderTaps)) {
      this.onTaps(frame[2].shoulderTaps);
    } else if (frame[0] === 4) {
      // Resync: taps may have been lost; treat it as a tap for everything open.
      this.onTaps([{ resource: '*' }]);
    }
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close();
    this.socket = undefined;
  }
}

/** Calls `check()` every `seconds` while started (0: never); one check at a time. */
export class Poller {
  constructor(seconds, check) {
    this.seconds = seconds;
    this.check = check;
    this.timer = undefined;
    this.busy = false;
  }

  start() {
    this.stop();
    if (!(this.seconds > 0)) return;
    this.timer = setInterval(async () => {
      if (this.busy) return;
      this.busy = true;
      try {
        await this.check();
      } finally {
        this.busy = false;
      }
    }, this.seconds * 1000);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
