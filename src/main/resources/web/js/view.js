// Rendering. Every piece of user data goes in through textContent or formatText, never innerHTML.

import { formatText } from './format.js';

const GROUP_GAP_MS = 5 * 60 * 1000;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children);
  return node;
}

function dayLabel(date) {
  const today = new Date();
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (date.toDateString() === today.toDateString()) return 'Today';
  if (date.toDateString() === yesterday.toDateString()) return 'Yesterday';
  return date.toLocaleDateString(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
}

/** The sidebar: rooms the user belongs to, then public rooms to join, each with its unread count. */
export function renderRoomList(list, rooms, current, unread, onOpen) {
  const mine = rooms.filter((r) => r.info.member !== false || r.name === current);
  const others = rooms.filter((r) => r.info.member === false && r.name !== current);
  const byTitle = (a, b) => a.title.localeCompare(b.title);
  const item = (room) => {
    const count = unread(room);
    const button = el('button', {
      type: 'button',
      class: 'room' + (count > 0 ? ' has-unread' : ''),
      'aria-current': room.name === current ? 'true' : null,
      'aria-label': count > 0 ? `${room.title}, ${count} unread` : room.title,
      onclick: () => onOpen(room.name),
    }, el('span', { class: 'room-name', text: room.title }));
    if (room.info.private && !room.info.peer) button.append(el('span', { class: 'lock', 'aria-hidden': 'true', text: '🔒' }));
    if (count > 0) button.append(el('span', { class: 'badge', 'aria-hidden': 'true', text: count > 99 ? '99+' : String(count) }));
    return el('li', {}, button);
  };
  const nodes = mine.sort(byTitle).map(item);
  if (others.length) {
    nodes.push(el('li', { class: 'list-heading', role: 'presentation', text: 'Other public rooms' }));
    nodes.push(...others.sort(byTitle).map(item));
  }
  list.replaceChildren(...nodes);
}

/** The message log: day separators, messages grouped by author, pending and failed sends last. */
export function renderLog(log, room, me, onRetry) {
  const nodes = [];
  let previous = null;
  for (const m of room.timeline()) {
    const ts = m.ts || Date.now();
    const date = new Date(ts);
    const newDay = !previous || new Date(previous.ts).toDateString() !== date.toDateString();
    if (newDay) nodes.push(el('div', { class: 'day', role: 'separator', text: dayLabel(date) }));
    const from = m.from || me;
    const continued = !newDay && previous && previous.from === from && ts - previous.ts < GROUP_GAP_MS;
    const state = m.seq ? 'sent' : m.state;
    const article = el('article', {
      class: 'msg' + (continued ? ' continued' : '') + (from === me ? ' mine' : ''),
      'data-seq': m.seq,
      'data-state': state,
    },
    el('header', {},
      el('span', { class: 'author', text: from }),
      el('time', { datetime: date.toISOString(), title: date.toLocaleString(), text: date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) })),
    el('div', { class: 'text' }, formatText(m.text)));
    if (state === 'pending') article.append(el('span', { class: 'status', text: 'sending…' }));
    if (state === 'answering') article.append(el('span', { class: 'status', text: 'writing…' }));
    if (state === 'failed') {
      article.append(el('span', { class: 'status', text: m.error ? `not sent: ${m.error}` : 'not sent' }),
        el('button', { type: 'button', class: 'retry', onclick: () => onRetry(m) }, 'Retry'));
    }
    nodes.push(article);
    previous = { ts, from };
  }
  if (!nodes.length) nodes.push(el('p', { class: 'empty', text: 'No messages yet. Say hello!' }));
  log.replaceChildren(...nodes);
}

export function renderOnline(list, room) {
  list.replaceChildren(...[...room.online].sort().map((name) => el('li', { text: name })));
}

export function renderTyping(node, names) {
  node.textContent = names.length === 0 ? ''
    : names.length === 1 ? `${names[0]} is typing…`
      : names.length === 2 ? `${names[0]} and ${names[1]} are typing…` : 'Several people are typing…';
}
