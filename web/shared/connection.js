/**
 * The live link to one meeting over Socket.IO (same origin, path /socket.io).
 *
 * Guarantees the views rely on:
 * - state is a snapshot plus events applied in order: each event names the previous event this
 *   device could see (`prev`), so one is applied only when the device has reached `prev`; an
 *   event it has already is dropped (a repeated broadcast is harmless), and one whose `prev` it
 *   has not reached means it missed something: it asks `sync {since}` for exactly that;
 * - events that arrive before the snapshot (or during a catch-up) are buffered, not lost;
 * - a reconnect sends `since: lastSeq`, so the server answers with `catchup` when it can; after
 *   the link between server processes was down the server sends `heads {seq}`, and a device
 *   behind that asks for what it missed;
 * - every write carries an op_id; writes made while offline wait in memory and are sent once the
 *   link is back, in order, with the same op_id on every attempt, so the server applies each once;
 *   an `unavailable` or `busy` answer is retried the same way (the write may have landed);
 *   each write also names the last seq the device had (`seen`), so a retry that comes too late
 *   for the server to recognise is refused (`too_late`) rather than applied twice;
 * - when the server lost the meeting (`meeting_lost`, a restart without disk) the device says the
 *   connection is being restored and keeps trying; once a facilitator console restored it, the
 *   device is back by itself, and re-sends its own acknowledged writes the copy did not have.
 * @module connection
 */

import { io } from "../vendor/socket.io-client-4.8.1/socket.io.esm.min.js";

/** @typedef {"connecting"|"online"|"reconnecting"|"restoring"|"offline"|"gone"|"expired"|"refused"|"closed"} Status */
/** @typedef {{ok: true, seq?: number, id?: string, error?: undefined, [key: string]: unknown} | {ok: false, error: {code: string, message: string}}} Ack */
/** @typedef {{seq: number, prev: number, type: string, at: number, changes: import("./state.js").Change[]}} WireEvent */
/**
 * @typedef {{seq: number, meeting: import("./state.js").Meeting,
 *   you: {role: "facilitator"|"participant"|"wall", party_id?: string|null,
 *         participant_id?: string|null, own?: string[]},
 *   share?: {join_code?: string, wall_url?: string, cofacilitator_url?: string, join_url?: string},
 *   restored_at?: number, [key: string]: unknown}} Snapshot
 */
/**
 * @typedef {object} ConnectOptions
 * @property {string} token the bearer token (from the URL fragment or sessionStorage; never a URL)
 * @property {(snapshot: Snapshot) => void} onSnapshot the whole state: replace what you hold
 * @property {(event: WireEvent) => void} onEvent one event to apply (already in seq order)
 * @property {(presence: {counts: Record<string, number>}) => void} [onPresence] facilitators only
 * @property {(error: {code: string, message: string}) => void} [onDeleted] the meeting is gone
 *   for good: ended and deleted (code `meeting_gone`) or expired (`meeting_expired`)
 * @property {() => void} [onLost] the server lost the meeting (a restart): a console restores it
 * @property {(status: Status) => void} [onStatus] for the visible connection state
 * @property {(error: {code: string, message: string}) => void} [onRefused] e.g. code "unauthorized"
 * @property {(pending: number) => void} [onQueue] how many writes wait for an answer
 */
/**
 * @typedef {object} MeetingConnection
 * @property {(name: string, payload?: Record<string, unknown>) => Promise<Ack>} send
 *   a write; resolves with the server's ack (never rejects). While offline it waits in memory.
 * @property {() => Promise<void>} resync ask for everything after lastSeq again
 * @property {() => void} retryNow try to connect again at once (after a restore)
 * @property {(name: string) => Promise<any>} request a read that is not a write (e.g. "capsule"): its ack
 * @property {() => void} close stop for good (pending writes resolve with code "closed")
 * @property {() => number} lastSeq
 * @property {() => Status} status
 * @property {() => number} pending number of writes not yet acknowledged
 */

const GONE = { code: "meeting_gone", message: "Deze bijeenkomst bestaat niet meer." };
const CLOSED = { code: "closed", message: "De verbinding is gesloten." };
// Answers that mean "not now", not "no": the write is sent again (same op_id) after a pause.
const RETRY = new Set(["unavailable", "busy"]);
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 5000;
const GONE_CODES = new Set(["meeting_gone", "meeting_expired", "meeting_lost"]);
// How long to wait before asking for a missed event: it may just be arriving out of order.
const GAP_GRACE_MS = 150;
// While the meeting is being restored, try again this often.
const RESTORE_RETRY_MS = 3000;
// Own acknowledged writes remembered, to re-send those a restored copy did not have.
const ACKED_KEPT = 200;

/**
 * The pause before sending a write again after `busy` or `unavailable` (try 1, 2, ...): 100-200
 * ms, then doubling to 2.5-5 s at most, at random within that range (jitter).
 * @param {number} tries
 */
export function retryDelay(tries) {
  const ceiling = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** tries);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

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
  const onLost = options.onLost ?? noop;
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
  /** @typedef {{name: string, payload: Record<string, unknown>, resolve: (ack: Ack) => void, attempt: number, tries: number}} Op */
  /** @type {Op[]} */
  const queue = [];
  let attempt = 0; // bumped on every (re)connect: an op is emitted at most once per connection
  // This device's acknowledged writes, with the seq they got; those the server had acknowledged
  // before it lost the meeting, above the seq its restored copy was made at, are sent again.
  /** @typedef {{name: string, payload: Record<string, unknown>, seq: number}} Acked */
  /** @type {Acked[]} */
  const acked = [];
  /** @type {Acked[] | null} */
  let ackedBeforeLoss = null;

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

  /** @param {WireEvent} event */
  function apply(event) {
    if (lastSeq !== null && event.seq <= lastSeq) return; // in the state already
    if (lastSeq === null || event.prev > lastSeq) {
      // Something before it has not arrived: wait a moment (it may be on its way), then ask.
      buffer.push(event);
      gapSoon();
      return;
    }
    lastSeq = event.seq;
    onEvent(event);
    if (buffer.length) drainBuffer(); // what waited for this one
  }

  /** @type {ReturnType<typeof setTimeout> | null} */
  let gapTimer = null;
  function gapSoon() {
    if (gapTimer !== null) return;
    gapTimer = setTimeout(() => {
      gapTimer = null;
      if (buffer.length && synced) void catchUp();
    }, GAP_GRACE_MS);
  }

  let catching = false;
  /** Ask for everything after lastSeq; events arriving meanwhile wait in the buffer. */
  async function catchUp() {
    if (catching || !socket.connected) return;
    catching = true;
    synced = false;
    try {
      const ack = await socket.timeout(10000).emitWithAck("sync", lastSeq === null ? {} : { since: lastSeq });
      if (ack?.ok && ack.snapshot) takeSnapshot(ack.snapshot);
      else if (ack?.ok && ack.catchup) takeCatchup(ack.catchup);
    } catch {
      // no answer: the next event or reconnect tries again
    } finally {
      catching = false;
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
    const behind = lastSeq;
    lastSeq = snapshot.seq;
    onSnapshot(snapshot);
    if (typeof snapshot.restored_at === "number") resendLost(snapshot.restored_at, behind);
    becomeSynced();
  }

  /** @param {{seq: number, events: WireEvent[]}} catchup */
  function takeCatchup(catchup) {
    // A catch-up holds exactly the events after lastSeq this device may see, in order.
    for (const event of [...catchup.events].sort((a, b) => a.seq - b.seq)) {
      if (lastSeq === null || event.seq > lastSeq) {
        lastSeq = event.seq;
        onEvent(event);
      }
    }
    if (lastSeq === null || catchup.seq > lastSeq) lastSeq = catchup.seq;
    becomeSynced();
  }

  /**
   * The meeting came back from a copy made at `restoredAt`: this device's own writes that were
   * acknowledged before the loss with a later seq are not in it. Send them again, in order.
   * @param {number} restoredAt @param {number | null} behind
   */
  function resendLost(restoredAt, behind) {
    if (ackedBeforeLoss === null || behind === null) return;
    const missing = ackedBeforeLoss.filter((op) => op.seq > restoredAt);
    ackedBeforeLoss = null;
    for (const op of missing) {
      queue.push({ name: op.name, payload: op.payload, resolve: noop, attempt: 0, tries: 0 });
    }
    if (missing.length) onQueue(queue.length);
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

  /** @param {Op} op @param {Ack} ack */
  function settle(op, ack) {
    const index = queue.indexOf(op);
    if (index === -1) return;
    if (ack && !ack.ok && RETRY.has(ack.error?.code) && !finished) {
      // Not now: the same op again after a pause (it may have landed; the server then answers
      // as it did the first time). The pause doubles up to 5 s and is drawn at random from its
      // upper half, so devices refused together by a busy server do not come back together.
      op.tries += 1;
      setTimeout(() => {
        op.attempt = -1;
        flush();
      }, retryDelay(op.tries));
      return;
    }
    if (ack && !ack.ok && ack.error?.code && GONE_CODES.has(ack.error.code)) {
      goneWith(ack.error); // keeps the op queued when the meeting is only being restored
      if (ack.error.code === "meeting_lost") return;
    }
    queue.splice(index, 1);
    onQueue(queue.length);
    if (ack?.ok && typeof ack.seq === "number") {
      acked.push({ name: op.name, payload: op.payload, seq: ack.seq });
      if (acked.length > ACKED_KEPT) acked.shift();
    }
    op.resolve(ack ?? { ok: false, error: { code: "error", message: "Geen antwoord." } });
  }

  /** @param {{code: string, message: string}} error */
  function failAll(error) {
    for (const op of queue.splice(0)) op.resolve({ ok: false, error });
    onQueue(0);
  }

  /**
   * The server says the meeting is not there: ended or expired (final), or lost (it may come
   * back: say so, keep the writes, and keep trying).
   * @param {{code?: string, message?: string}} [error]
   */
  function goneWith(error) {
    if (finished) return;
    const code = error?.code ?? "meeting_gone";
    if (code === "meeting_lost") {
      if (status !== "restoring") {
        ackedBeforeLoss = [...acked];
        setStatus("restoring");
      }
      onLost(); // on every refusal while it lasts: a console tries its restore again
      scheduleRetry();
      return;
    }
    finished = true;
    failAll({ code, message: error?.message ?? GONE.message });
    socket.disconnect();
    setStatus(code === "meeting_expired" ? "expired" : "gone");
    onDeleted({ code, message: error?.message ?? GONE.message });
  }

  /** @type {ReturnType<typeof setTimeout> | null} */
  let retryTimer = null;
  function scheduleRetry() {
    if (retryTimer !== null || finished) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      if (!finished && !socket.connected) socket.connect();
    }, RESTORE_RETRY_MS);
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
  socket.on("heads", (/** @type {{seq: number}} */ heads) => {
    // After the link between server processes was down: behind this, something was missed.
    if (synced && lastSeq !== null && heads?.seq > lastSeq) void catchUp();
  });
  socket.on("restored", (/** @type {{seq: number}} */ restored) => {
    // The meeting came back from a copy at restored.seq while this device stayed connected:
    // past that seq it holds events the meeting no longer has (and will number again). Ask
    // afresh; the server answers with a snapshot, and own writes past the copy are sent again.
    if (lastSeq !== null && restored?.seq < lastSeq && ackedBeforeLoss === null) {
      ackedBeforeLoss = [...acked];
    }
    if (synced) void catchUp();
  });
  for (const name of ["meeting.deleted", "meeting.expired", "meeting.lost"]) {
    socket.on(name, (/** @type {{code: string, message: string}} */ error) => goneWith(error));
  }
  socket.on("disconnect", (reason) => {
    synced = false;
    if (finished) return;
    if (status === "restoring") {
      scheduleRetry();
    } else if (!navigator.onLine) {
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
    const code = data.code ?? err.message?.match(/\b(meeting_\w+|unauthorized|forbidden)\b/)?.[1] ?? null;
    if (code && GONE_CODES.has(code)) {
      goneWith({ code, message: data.message ?? "" });
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
        // `seen` stays the same on every retry: the server can then tell a retry it still
        // recognises from one too old to, which it refuses (too_late) instead of applying twice.
        const seen = lastSeq === null ? {} : { seen: lastSeq };
        queue.push({ name, payload: { ...payload, op_id: newOpId(), ...seen }, resolve, attempt: 0, tries: 0 });
        onQueue(queue.length);
        flush();
      });
    },
    resync: catchUp,
    retryNow() {
      if (retryTimer !== null) clearTimeout(retryTimer);
      retryTimer = null;
      if (!finished && !socket.connected) socket.connect();
    },
    /** @param {string} name */
    async request(name) {
      if (!socket.connected) return { ok: false, error: CLOSED };
      try {
        return await socket.timeout(10000).emitWithAck(name, {});
      } catch {
        return { ok: false, error: { code: "error", message: "Geen antwoord." } };
      }
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
