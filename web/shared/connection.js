/**
 * The live link to one meeting over Socket.IO (same origin, path /socket.io).
 *
 * Guarantees the views rely on:
 * - state is a snapshot plus events applied in seq order; an event is applied only when its seq is
 *   above the last one seen (seqs may have gaps), and events that arrive before the snapshot (or
 *   before the catch-up after a reconnect) are buffered, not lost;
 * - a reconnect sends `since: lastSeq`, so the server answers with `catchup` when it can;
 * - every write carries an op_id; writes made while offline wait in memory and are sent once the
 *   link is back, in order, with the same op_id on every attempt, so the server applies each once.
 * @module connection
 */

import { io } from "../vendor/socket.io-client-4.8.1/socket.io.esm.min.js";

/** @typedef {"connecting"|"online"|"reconnecting"|"offline"|"gone"|"refused"|"closed"} Status */
/** @typedef {{ok: true, seq?: number, id?: string, [key: string]: unknown} | {ok: false, error: {code: string, message: string}}} Ack */
/** @typedef {{seq: number, type: string, at: number, changes: import("./state.js").Change[]}} WireEvent */
/**
 * @typedef {{seq: number, meeting: import("./state.js").Meeting,
 *   you: {role: "facilitator"|"participant"|"wall", party_id?: string|null,
 *         participant_id?: string|null, own?: string[]},
 *   share?: {join_code?: string, wall_url?: string, cofacilitator_url?: string, join_url?: string},
 *   [key: string]: unknown}} Snapshot
 */
/**
 * @typedef {object} ConnectOptions
 * @property {string} token the bearer token (from the URL fragment or sessionStorage; never a URL)
 * @property {(snapshot: Snapshot) => void} onSnapshot the whole state: replace what you hold
 * @property {(event: WireEvent) => void} onEvent one event to apply (already in seq order)
 * @property {(presence: {counts: Record<string, number>}) => void} [onPresence] facilitators only
 * @property {() => void} [onDeleted] the meeting was ended and deleted ("bestaat niet meer")
 * @property {(status: Status) => void} [onStatus] for the visible connection state
 * @property {(error: {code: string, message: string}) => void} [onRefused] e.g. code "unauthorized"
 * @property {(pending: number) => void} [onQueue] how many writes wait for an answer
 */
/**
 * @typedef {object} MeetingConnection
 * @property {(name: string, payload?: Record<string, unknown>) => Promise<Ack>} send
 *   a write; resolves with the server's ack (never rejects). While offline it waits in memory.
 * @property {() => Promise<void>} resync ask for everything after lastSeq again
 * @property {() => void} close stop for good (pending writes resolve with code "closed")
 * @property {() => number} lastSeq
 * @property {() => Status} status
 * @property {() => number} pending number of writes not yet acknowledged
 */

const GONE = { code: "meeting_gone", message: "Deze bijeenkomst bestaat niet meer." };
const CLOSED = { code: "closed", message: "De verbinding is gesloten." };

/** A v4 UUID; crypto.randomUUID needs a secure context, getRandomValues does not. */
export function newOpId() {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Connect to the meeting the token belongs to.
 * @param {ConnectOptions} options
 * @returns {MeetingConnection}
 */
export function connectMeeting(options) {
  const { token, onSnapshot, onEvent } = options;
  const noop = () => {};
  const onPresence = options.onPresence ?? noop;
  const onDeleted = options.onDeleted ?? noop;
  const onStatus = options.onStatus ?? noop;
  const onRefused = options.onRefused ?? noop;
  const onQueue = options.onQueue ?? noop;

  /** @type {number | null} */
  let lastSeq = null;
  // True once this connection has its snapshot or catch-up; until then events are buffered.
  let synced = false;
  /** @type {WireEvent[]} */
  let buffer = [];
  /** @type {Status} */
  let status = "connecting";
  let finished = false;
  /** @type {{name: string, payload: Record<string, unknown>, resolve: (ack: Ack) => void, attempt: number}[]} */
  const queue = [];
  let attempt = 0; // bumped on every (re)connect: an op is emitted at most once per connection

  const socket = io({
    path: "/socket.io",
    // WebSocket first; plain HTTP long-polling if a proxy refuses WebSockets.
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    auth: (cb) => cb(lastSeq === null ? { token } : { token, since: lastSeq }),
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
  });

  /** @param {Status} next */
  function setStatus(next) {
    if (status === next) return;
    status = next;
    onStatus(next);
  }

  // With several server processes, broadcasts can arrive out of seq order. Events at or below
  // the snapshot's seq are in it already; one between that and lastSeq that was never applied
  // arrived late, and applying it now would be out of order: take a fresh snapshot instead.
  let baseSeq = -1;
  /** @type {Set<number>} */
  const appliedSeqs = new Set();

  /** @param {WireEvent} event */
  function apply(event) {
    if (event.seq <= baseSeq || appliedSeqs.has(event.seq)) return;
    if (lastSeq !== null && event.seq < lastSeq) {
      refresh();
      return;
    }
    lastSeq = event.seq;
    appliedSeqs.add(event.seq);
    if (appliedSeqs.size > 2000) {
      baseSeq = Math.min(...appliedSeqs);
      appliedSeqs.delete(baseSeq);
    }
    onEvent(event);
  }

  let refreshing = false;
  async function refresh() {
    if (refreshing || !socket.connected) return;
    refreshing = true;
    synced = false; // hold new events until the snapshot; they are applied after it if newer
    try {
      const ack = await socket.emitWithAck("sync", {});
      if (ack?.ok && ack.snapshot) takeSnapshot(ack.snapshot);
    } finally {
      refreshing = false;
      if (!synced && socket.connected) becomeSynced();
    }
  }

  function drainBuffer() {
    const waiting = buffer.sort((a, b) => a.seq - b.seq);
    buffer = [];
    for (const event of waiting) apply(event);
  }

  /** @param {Snapshot} snapshot */
  function takeSnapshot(snapshot) {
    lastSeq = snapshot.seq;
    baseSeq = snapshot.seq;
    appliedSeqs.clear();
    onSnapshot(snapshot);
    becomeSynced();
  }

  /** @param {{seq: number, events: WireEvent[]}} catchup */
  function takeCatchup(catchup) {
    for (const event of [...catchup.events].sort((a, b) => a.seq - b.seq)) apply(event);
    if (lastSeq === null || catchup.seq > lastSeq) lastSeq = catchup.seq;
    becomeSynced();
  }

  function becomeSynced() {
    synced = true;
    drainBuffer();
    setStatus("online");
    flush();
  }

  function flush() {
    if (!synced || finished || !socket.connected) return;
    for (const op of queue) {
      if (op.attempt === attempt) continue; // already sent on this connection
      op.attempt = attempt;
      socket.emit(op.name, op.payload, (/** @type {Ack} */ ack) => settle(op, ack));
    }
  }

  /** @param {(typeof queue)[number]} op @param {Ack} ack */
  function settle(op, ack) {
    const index = queue.indexOf(op);
    if (index === -1) return;
    queue.splice(index, 1);
    onQueue(queue.length);
    op.resolve(ack ?? { ok: false, error: { code: "error", message: "Geen antwoord." } });
    if (ack && !ack.ok && ack.error?.code === "meeting_gone") gone();
  }

  /** @param {{code: string, message: string}} error */
  function failAll(error) {
    for (const op of queue.splice(0)) op.resolve({ ok: false, error });
    onQueue(0);
  }

  function gone() {
    if (finished) return;
    finished = true;
    failAll(GONE);
    socket.disconnect();
    setStatus("gone");
    onDeleted();
  }

  socket.on("connect", () => {
    attempt += 1;
    synced = false;
    buffer = [];
    setStatus("connecting");
  });
  socket.on("snapshot", takeSnapshot);
  socket.on("catchup", takeCatchup);
  socket.on("event", (/** @type {WireEvent} */ event) => {
    if (synced) apply(event);
    else buffer.push(event);
  });
  socket.on("presence", onPresence);
  socket.on("meeting.deleted", gone);
  socket.on("disconnect", (reason) => {
    synced = false;
    if (finished) return;
    if (!navigator.onLine) {
      setStatus("offline");
    } else {
      setStatus("reconnecting");
      // The server hung up on purpose (not a deletion, that comes as meeting.deleted first):
      // Socket.IO will not redial by itself then, so do it after a pause.
      if (reason === "io server disconnect") setTimeout(() => finished || socket.connect(), 2000);
    }
  });
  socket.on("connect_error", (/** @type {Error & {data?: any}} */ err) => {
    const data = err.data && typeof err.data === "object" ? err.data : {};
    // The refusal's code is in data ({code, message}); fall back to finding it in the message.
    const code = data.code ?? err.message?.match(/\b(meeting_gone|unauthorized|forbidden)\b/)?.[1] ?? null;
    if (code === "meeting_gone") {
      gone();
    } else if (code === "unauthorized" || code === "forbidden") {
      finished = true;
      const refusal = { code, message: data.message ?? "" };
      failAll(refusal);
      setStatus("refused");
      onRefused(refusal);
    } else if (!socket.active) {
      setStatus("offline"); // refused for another reason; no automatic retry
    } else {
      setStatus(navigator.onLine ? "reconnecting" : "offline");
    }
  });

  // Phones notice a lost network much sooner than a ping timeout: drop and redial explicitly.
  const wentOffline = () => {
    if (finished) return;
    setStatus("offline");
    socket.disconnect();
  };
  const cameOnline = () => {
    if (finished) return;
    setStatus("reconnecting");
    socket.connect();
  };
  window.addEventListener("offline", wentOffline);
  window.addEventListener("online", cameOnline);
  // Report the first status after connectMeeting has returned, so callbacks may use its result.
  queueMicrotask(() => {
    if (!navigator.onLine) setStatus("offline");
    else if (status === "connecting") onStatus(status);
  });

  return {
    send(name, payload = {}) {
      if (finished) return Promise.resolve({ ok: false, error: status === "gone" ? GONE : CLOSED });
      return new Promise((resolve) => {
        queue.push({ name, payload: { ...payload, op_id: newOpId() }, resolve, attempt: 0 });
        onQueue(queue.length);
        flush();
      });
    },
    async resync() {
      if (!socket.connected) return;
      const ack = await socket.emitWithAck("sync", lastSeq === null ? {} : { since: lastSeq });
      if (!ack?.ok) return;
      if (ack.snapshot) takeSnapshot(ack.snapshot);
      else if (ack.catchup) takeCatchup(ack.catchup);
    },
    close() {
      finished = true;
      failAll(CLOSED);
      window.removeEventListener("offline", wentOffline);
      window.removeEventListener("online", cameOnline);
      socket.disconnect();
      setStatus("closed");
    },
    lastSeq: () => lastSeq ?? 0,
    status: () => status,
    pending: () => queue.length,
  };
}
