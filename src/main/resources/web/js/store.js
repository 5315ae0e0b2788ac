// What the client knows about each room: messages by seq (so a message is never shown twice),
// sends still waiting for their ack, who is online and typing, and how far the user has read.

export class RoomState {
  constructor(info) {
    this.name = info.name;
    this.update(info);
    this.messages = new Map(); // seq -> message frame
    this.pending = new Map(); // clientMsgId -> {clientMsgId, text, ts, state: 'pending'|'failed', error}
    this.online = new Set();
    this.typing = new Map(); // user -> expiry time (ms)
    this.answering = new Map(); // question seq -> {text, ts}: the assistant's answer while it is written
    this.answered = new Set(); // question seqs whose answer message is here
    this.joined = false;
    this.loadingOlder = false;
  }

  update(info) {
    this.info = { ...this.info, ...info };
    this.lastSeq = Math.max(this.lastSeq || 0, info.lastSeq || 0);
  }

  get title() {
    return this.info.peer ? '@' + this.info.peer : this.name;
  }

  /** Highest seq held with no gap below it back to the oldest held; the `since` to resume from. */
  get newest() {
    let newest = 0;
    for (const seq of this.messages.keys()) newest = Math.max(newest, seq);
    return newest;
  }

  get oldest() {
    let oldest = Infinity;
    for (const seq of this.messages.keys()) oldest = Math.min(oldest, seq);
    return oldest === Infinity ? 0 : oldest;
  }

  get hasOlder() {
    return this.messages.size > 0 && this.oldest > 1;
  }

  /** Adds a committed message; false when it was already there. Its own pending send is settled by it. */
  add(message, me) {
    if (message.from === me && message.clientMsgId) this.pending.delete(message.clientMsgId);
    if (message.replyTo) {
      this.answered.add(message.replyTo);
      this.answering.delete(message.replyTo);
    }
    this.lastSeq = Math.max(this.lastSeq, message.seq);
    if (this.messages.has(message.seq)) return false;
    this.messages.set(message.seq, message);
    return true;
  }

  /** Adds a piece of the assistant's answer being written; false when that answer is here already. */
  delta(frame) {
    if (this.answered.has(frame.replyTo)) return false;
    const live = this.answering.get(frame.replyTo) || { from: 'ai', text: '', ts: Date.now(), state: 'answering' };
    live.text += frame.text;
    this.answering.set(frame.replyTo, live);
    return true;
  }

  /** Every message in seq order, then answers being written, then the sends still pending or failed in the order they were made. */
  timeline() {
    const committed = [...this.messages.values()].sort((a, b) => a.seq - b.seq);
    return committed.concat([...this.answering.values()], [...this.pending.values()]);
  }

  typists(now) {
    const names = [];
    for (const [user, until] of this.typing) {
      if (until > now) names.push(user);
      else this.typing.delete(user);
    }
    return names.sort();
  }
}

/** Per-user read marks in localStorage: the highest seq seen per room. */
export class ReadMarks {
  constructor(userId) {
    this.key = `chatroom.read.${userId}`;
    try {
      this.marks = JSON.parse(localStorage.getItem(this.key)) || {};
    } catch {
      this.marks = {};
    }
  }

  get(room) {
    return this.marks[room] || 0;
  }

  has(room) {
    return room in this.marks;
  }

  mark(room, seq, force = false) {
    if (seq > this.get(room) || (force && !this.has(room))) {
      this.marks[room] = seq;
      localStorage.setItem(this.key, JSON.stringify(this.marks));
    }
  }
}
