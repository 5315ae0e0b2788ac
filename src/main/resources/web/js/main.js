// The app: signs in, keeps one Connection, and keeps the rooms, the log and the sidebar in step.

import * as api from './api.js';
import { Connection } from './connection.js';
import { ReadMarks, RoomState } from './store.js';
import * as view from './view.js';

const SESSION_KEY = 'chatroom.session';
const LAST_ROOM_KEY = 'chatroom.room';
const TYPING_EVERY_MS = 3000;
const TYPING_SHOWN_MS = 4000;
const PAGE = 50;
const GAP_PAGE = 200;

const $ = (selector) => document.querySelector(selector);

const app = {
  session: null, // {token, user}
  connection: null,
  rooms: new Map(),
  current: null,
  reads: null,
  lastTypingSent: 0,
};

function me() {
  return app.session.user.username;
}

function room(name, info) {
  let state = app.rooms.get(name);
  if (!state) {
    state = new RoomState({ name, lastSeq: 0, ...info });
    app.rooms.set(name, state);
  } else if (info) {
    state.update(info);
  }
  // a room seen for the first time starts read: unread counts what arrives after, not its whole past
  if (info && info.lastSeq !== undefined && !app.reads.has(name)) app.reads.mark(name, info.lastSeq, true);
  return state;
}

function unread(state) {
  return state.name === app.current && !document.hidden ? 0 : Math.max(0, state.lastSeq - app.reads.get(state.name));
}

// ---- rendering ----

function renderSidebar() {
  view.renderRoomList($('#room-list'), [...app.rooms.values()], app.current, unread, openRoom);
  const total = [...app.rooms.values()].reduce((sum, r) => sum + unread(r), 0);
  document.title = total > 0 ? `(${total}) chatroom` : 'chatroom';
}

function renderLog({ toBottom = false, keepFromBottom = false } = {}) {
  const state = app.rooms.get(app.current);
  const log = $('#log');
  if (!state) return;
  const fromBottom = log.scrollHeight - log.scrollTop;
  const atBottom = fromBottom - log.clientHeight < 48;
  view.renderLog(log, state, me(), retry);
  if (keepFromBottom) log.scrollTop = log.scrollHeight - fromBottom;
  else if (toBottom || atBottom) log.scrollTop = log.scrollHeight;
  markRead();
  // a short room may not fill the log: there is no scrolling up to ask for more, so ask now
  if (state.hasOlder && log.scrollHeight <= log.clientHeight) loadOlder(state);
}

function renderRoomPanel() {
  const state = app.rooms.get(app.current);
  if (!state) return;
  $('#room-title').textContent = state.title;
  view.renderOnline($('#online-list'), state);
  const names = [...state.online].sort();
  $('#online-count').textContent = `${names.length} online`;
  $('#online-count').title = names.join(', ');
  view.renderTyping($('.typing'), state.typists(Date.now()));
}

function markRead() {
  const state = app.rooms.get(app.current);
  if (state && !document.hidden) app.reads.mark(state.name, state.lastSeq);
}

// ---- session ----

function showAuth(message) {
  $('#chat').hidden = true;
  $('#auth').hidden = false;
  $('#auth-form .error').textContent = message || '';
  $('#username').focus();
}

async function authenticate(action) {
  const username = $('#username').value.trim();
  const password = $('#password').value;
  const error = $('#auth-form .error');
  if (!username || !password) {
    error.textContent = 'Enter a username and a password.';
    return;
  }
  for (const b of document.querySelectorAll('#auth-form button')) b.disabled = true;
  try {
    const result = action === 'register' ? await api.register(username, password) : await api.login(username, password);
    const session = { token: result.token, user: result.user };
    saveSession(session);
    $('#password').value = '';
    enter(session);
  } catch (e) {
    error.textContent = e.message;
  } finally {
    for (const b of document.querySelectorAll('#auth-form button')) b.disabled = false;
  }
}

function enter(session) {
  app.session = session;
  app.reads = new ReadMarks(session.user.id);
  app.rooms = new Map();
  $('#auth').hidden = true;
  $('#chat').hidden = false;
  $('#me').textContent = session.user.username;
  app.current = localStorage.getItem(`${LAST_ROOM_KEY}.${session.user.id}`) || 'general';
  room(app.current);
  renderRoomPanel();
  renderSidebar();
  renderLog({ toBottom: true });

  const connection = new Connection(session.token);
  app.connection = connection;
  connection.addEventListener('ready', () => onReady());
  connection.addEventListener('message', (e) => onMessage(e.detail));
  connection.addEventListener('presence', (e) => onPresence(e.detail));
  connection.addEventListener('typing', (e) => onTyping(e.detail));
  connection.addEventListener('ai_delta', (e) => onAiDelta(e.detail));
  connection.addEventListener('ai_error', (e) => onAiError(e.detail));
  connection.addEventListener('status', (e) => onStatus(e.detail.online));
  connection.addEventListener('unauthorized', () => signOut('Your session has expired. Sign in again.'));
  connection.start();
  refreshRooms();
}

/**
 * A session lives in this tab (sessionStorage, so a reload keeps it and two tabs can be two users) and is
 * remembered for new tabs (localStorage, the last sign-in).
 */
function saveSession(session) {
  const json = JSON.stringify(session);
  sessionStorage.setItem(SESSION_KEY, json);
  localStorage.setItem(SESSION_KEY, json);
}

function loadSession() {
  for (const storage of [sessionStorage, localStorage]) {
    try {
      const session = JSON.parse(storage.getItem(SESSION_KEY));
      if (session && session.token && session.user) return session;
    } catch {
      // unreadable: try the next one
    }
  }
  return null;
}

function forgetSession(session) {
  sessionStorage.removeItem(SESSION_KEY);
  const remembered = loadRemembered();
  if (!session || !remembered || remembered.user.id === session.user.id) localStorage.removeItem(SESSION_KEY);
}

function loadRemembered() {
  try {
    return JSON.parse(localStorage.getItem(SESSION_KEY));
  } catch {
    return null;
  }
}

function signOut(message) {
  const session = app.session;
  if (app.connection) app.connection.stop();
  app.connection = null;
  app.session = null;
  app.rooms = new Map();
  forgetSession(session);
  $('.connection-banner').hidden = true;
  showAuth(message);
}

async function refreshRooms() {
  try {
    const { rooms } = await api.rooms(app.session.token);
    for (const info of rooms) room(info.name, info);
    // the socket may have been ready before the list arrived: join the rooms it did not know yet
    if (app.connection && app.connection.online) {
      for (const state of app.rooms.values()) {
        if (state.info.member && !state.joined) join(state);
      }
    }
    renderSidebar();
    renderRoomPanel();
  } catch (e) {
    if (e.status === 401) signOut('Your session has expired. Sign in again.');
  }
}

// ---- live events ----

function onStatus(online) {
  const banner = $('.connection-banner');
  banner.textContent = online ? '' : 'Reconnecting…';
  banner.hidden = online;
  if (!online) {
    for (const state of app.rooms.values()) state.joined = false;
  }
}

/** After every (re)connect: join each room the user belongs to, resuming from what is already held. */
function onReady() {
  const names = new Set([app.current]);
  for (const state of app.rooms.values()) {
    if (state.info.member) names.add(state.name);
  }
  for (const name of names) join(room(name));
  refreshRooms();
}

async function join(state) {
  if (state.joining) return;
  state.joining = true;
  const since = state.messages.size ? state.newest : undefined;
  try {
    const ok = await app.connection.request('join', since === undefined ? { room: state.name } : { room: state.name, since });
    state.joined = true;
    state.update({ member: true, lastSeq: ok.lastSeq });
    state.online = new Set(ok.members || []);
    if (ok.hasMore && since !== undefined) await fillGap(state, since);
    flushQueued(state);
    if (state.name === app.current) {
      renderRoomPanel();
      renderLog();
    }
    renderSidebar();
  } catch (e) {
    if (e.code === 'disconnected' || e.code === 'timeout') return; // the next 'ready' joins again
    if (state.name === app.current) showSideError(e.message);
  } finally {
    state.joining = false;
  }
}

/** More was missed than a join replays: read forward from what we had until we are caught up. */
async function fillGap(state, since) {
  let after = since;
  for (;;) {
    const ok = await app.connection.request('history', { room: state.name, after, limit: GAP_PAGE });
    for (const m of ok.messages) state.add(m, me());
    if (ok.messages.length < GAP_PAGE) return;
    after = ok.messages[ok.messages.length - 1].seq;
  }
}

function onMessage(message) {
  const state = room(message.room);
  state.typing.delete(message.from);
  if (!state.add(message, me())) return; // already shown: a replay overlapping what we had, or our own acked send
  if (state.name === app.current) renderLog();
  renderSidebar();
}

// the assistant's answer as it is written: a provisional bubble that its message replaces
function onAiDelta(frame) {
  const state = room(frame.room);
  if (state.delta(frame) && state.name === app.current) renderLog();
}

// the assistant will not answer the current user's question: only they get this
function onAiError(frame) {
  const state = room(frame.room);
  state.answering.delete(frame.replyTo);
  if (state.name === app.current) {
    renderLog();
    showSideError(frame.message);
  }
}

function onPresence(event) {
  const state = room(event.room);
  if (event.state === 'online') state.online.add(event.user);
  else state.online.delete(event.user);
  if (state.name === app.current) renderRoomPanel();
}

function onTyping(event) {
  const state = room(event.room);
  state.typing.set(event.user, Date.now() + TYPING_SHOWN_MS);
  if (state.name === app.current) {
    renderRoomPanel();
    setTimeout(renderRoomPanel, TYPING_SHOWN_MS + 50);
  }
}

// ---- actions ----

async function openRoom(name) {
  app.current = name;
  localStorage.setItem(`${LAST_ROOM_KEY}.${app.session.user.id}`, name);
  const state = room(name);
  closeSidebar();
  showSideError('');
  renderRoomPanel();
  renderSidebar();
  renderLog({ toBottom: true });
  if (!state.joined && app.connection && app.connection.online) await join(state);
  $('#message').focus();
}

async function loadOlder(state) {
  if (state.loadingOlder || !state.hasOlder || !state.joined) return;
  state.loadingOlder = true;
  try {
    const ok = await app.connection.request('history', { room: state.name, before: state.oldest, limit: PAGE });
    for (const m of ok.messages) state.add(m, me());
    if (state.name === app.current) renderLog({ keepFromBottom: true });
  } catch {
    // offline or refused: scrolling up again retries
  } finally {
    state.loadingOlder = false;
  }
}

function send() {
  const input = $('#message');
  const text = input.value.trim();
  if (!text) return;
  const state = app.rooms.get(app.current);
  const pending = { clientMsgId: crypto.randomUUID(), text, ts: Date.now(), state: 'pending' };
  state.pending.set(pending.clientMsgId, pending);
  input.value = '';
  autosize(input);
  renderLog({ toBottom: true });
  submit(state, pending);
}

/**
 * Sends (or re-sends) a pending message; the same clientMsgId makes every re-send safe. While offline, or
 * before the room is joined, the message waits (still "pending") and goes out when the room is joined;
 * only a refusal by the server makes it "failed", with a Retry button.
 */
async function submit(state, pending) {
  pending.state = 'pending';
  pending.error = null;
  if (!app.connection || !app.connection.online || !state.joined) {
    pending.queued = true;
    return;
  }
  pending.queued = false;
  pending.inFlight = true;
  try {
    const ok = await app.connection.request('send', { room: state.name, text: pending.text, clientMsgId: pending.clientMsgId });
    if (state.pending.has(pending.clientMsgId)) {
      state.add({ type: 'message', room: state.name, seq: ok.seq, from: me(), text: pending.text, ts: ok.ts, clientMsgId: pending.clientMsgId }, me());
    }
  } catch (e) {
    if (state.pending.has(pending.clientMsgId)) {
      if (e.code === 'disconnected' || e.code === 'timeout') {
        pending.queued = true; // it may or may not have been stored: the re-send after the join settles it
      } else {
        pending.state = 'failed';
        pending.error = e.message;
      }
    }
  } finally {
    pending.inFlight = false;
  }
  if (pending.queued && app.connection && app.connection.online && state.joined) submit(state, pending);
  if (state.name === app.current) renderLog();
  renderSidebar();
}

/** Sends what waited for this room to be joined, in the order it was written. */
function flushQueued(state) {
  for (const pending of state.pending.values()) {
    if (pending.queued && !pending.inFlight) submit(state, pending);
  }
}

function retry(pending) {
  const state = app.rooms.get(app.current);
  submit(state, pending);
  renderLog();
}

async function createRoom(event) {
  event.preventDefault();
  const name = $('#create-name').value.trim();
  if (!name) return;
  try {
    const { room: info } = await api.createRoom(app.session.token, name, $('#create-private').checked);
    room(info.name, { ...info, member: true });
    $('#create-name').value = '';
    $('#create-private').checked = false;
    await openRoom(info.name);
  } catch (e) {
    showSideError(e.message);
  }
}

async function joinRoom(event) {
  event.preventDefault();
  const name = $('#join-name').value.trim().toLowerCase();
  if (!name) return;
  $('#join-name').value = '';
  await openRoom(name);
}

async function directMessage(event) {
  event.preventDefault();
  const username = $('#dm-name').value.trim();
  if (!username) return;
  try {
    const { room: info } = await api.directMessage(app.session.token, username);
    room(info.name, info);
    $('#dm-name').value = '';
    await openRoom(info.name);
  } catch (e) {
    showSideError(e.message);
  }
}

function showSideError(message) {
  $('#side-error').textContent = message;
}

function typing() {
  const now = Date.now();
  if (app.connection && now - app.lastTypingSent > TYPING_EVERY_MS && $('#message').value.trim()) {
    app.lastTypingSent = now;
    app.connection.notify('typing', { room: app.current });
  }
}

function autosize(textarea) {
  textarea.style.height = 'auto';
  textarea.style.height = Math.min(textarea.scrollHeight, 160) + 'px';
}

function toggleSidebar() {
  const open = !document.body.classList.contains('sidebar-open');
  document.body.classList.toggle('sidebar-open', open);
  $('#menu').setAttribute('aria-expanded', String(open));
}

function closeSidebar() {
  document.body.classList.remove('sidebar-open');
  $('#menu').setAttribute('aria-expanded', 'false');
}

// ---- start ----

function wire() {
  $('#auth-form').addEventListener('submit', (e) => {
    e.preventDefault();
    authenticate('login');
  });
  $('#register').addEventListener('click', () => authenticate('register'));
  $('#signout').addEventListener('click', () => signOut());
  $('#menu').addEventListener('click', toggleSidebar);
  $('#create-form').addEventListener('submit', createRoom);
  $('#join-form').addEventListener('submit', joinRoom);
  $('#dm-form').addEventListener('submit', directMessage);
  $('#composer').addEventListener('submit', (e) => {
    e.preventDefault();
    send();
  });
  const input = $('#message');
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  });
  input.addEventListener('input', () => {
    autosize(input);
    typing();
  });
  $('#log').addEventListener('scroll', () => {
    const state = app.rooms.get(app.current);
    if (state && $('#log').scrollTop < 80) loadOlder(state);
  });
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && app.session) {
      markRead();
      renderSidebar();
    }
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') closeSidebar();
  });
}

wire();
const saved = loadSession();
if (saved) {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(saved));
  enter(saved);
} else {
  showAuth();
}
