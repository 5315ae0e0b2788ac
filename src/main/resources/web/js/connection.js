// The WebSocket half of the protocol: one authenticated session that reconnects by itself.
//
// Events (EventTarget, detail = the frame): 'ready' after each welcome (joins must be redone: the
// server forgets a connection's rooms), 'message', 'presence', 'typing', 'status' ({online}) and
// 'unauthorized' when the token is refused (1008 before a welcome).

const BACKOFF_MS = [300, 1000, 2000, 4000];
const MAX_BACKOFF_MS = 4000;
const REQUEST_TIMEOUT_MS = 15000;

export class RequestError extends Error {
  constructor(code, message, frame) {
    super(message);
    this.code = code;
    this.frame = frame;
  }
}

export class Connection extends EventTarget {
  constructor(token) {
    super();
    this.token = token;
    this.ws = null;
    this.nextId = 1;
    this.pending = new Map();
    this.online = false;
    this.attempt = 0;
    this.stopped = false;
    this.timer = null;
  }

  start() {
    this.stopped = false;
    this.open();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000, 'signed out');
    this.failPending('disconnected', 'signed out');
  }

  open() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${scheme}//${location.host}/ws`);
    this.ws = ws;
    let welcomed = false;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', token: this.token }));
    ws.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame.type === 'welcome') {
        welcomed = true;
        this.attempt = 0;
        this.setOnline(true);
        this.emit('ready', frame);
      } else if (!welcomed && frame.type === 'error' && frame.code === 'unauthorized') {
        this.stopped = true;
        this.emit('unauthorized', frame);
      } else {
        this.dispatch(frame);
      }
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.setOnline(false);
      this.failPending('disconnected', 'connection lost');
      if (event.code === 1008 && !welcomed) {
        this.stopped = true;
        this.emit('unauthorized', {});
      }
      if (!this.stopped) this.scheduleReconnect();
    };
  }

  scheduleReconnect() {
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)] * Math.pow(2, Math.max(0, this.attempt - BACKOFF_MS.length + 1));
    const delay = Math.min(base, MAX_BACKOFF_MS) * (0.75 + Math.random() * 0.5); // jitter spreads a crowd of clients
    this.attempt++;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.open(), delay);
  }

  /** Reconnect at once, e.g. when the server announces a restart. */
  reconnectNow() {
    if (this.ws) this.ws.close(1000, 'reconnecting');
  }

  setOnline(online) {
    if (this.online !== online) {
      this.online = online;
      this.emit('status', { online });
    }
  }

  dispatch(frame) {
    if (frame.id !== undefined && this.pending.has(frame.id)) {
      const { resolve, reject, timer } = this.pending.get(frame.id);
      this.pending.delete(frame.id);
      clearTimeout(timer);
      if (frame.type === 'error') reject(new RequestError(frame.code, frame.message, frame));
      else resolve(frame);
      return;
    }
    if (frame.type === 'reconnect') {
      this.reconnectNow();
      return;
    }
    if (frame.type === 'error') {
      console.warn('chatroom:', frame.code, frame.message);
      return;
    }
    this.emit(frame.type, frame);
  }

  /** Sends a request and resolves with its ok frame (rejects with a RequestError). */
  request(type, fields) {
    if (!this.online || !this.ws || this.ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new RequestError('disconnected', 'not connected'));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RequestError('timeout', 'no answer from the server'));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ type, id, ...fields }));
    });
  }

  /** Sends a frame that has no reply (typing). Dropped when offline: it is only a hint. */
  notify(type, fields) {
    if (this.online && this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({ type, ...fields }));
    }
  }

  failPending(code, message) {
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(new RequestError(code, message));
    }
    this.pending.clear();
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
