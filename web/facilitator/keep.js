/**
 * The console keeps the way back: a sealed copy of the meeting (a "capsule") in this browser.
 *
 * The server holds meetings in memory only. If it loses one (a restart, a Redis restarted
 * empty), the console sends the latest capsule back (`POST /api/restore`) and every device
 * reconnects by itself. The capsule is sealed by the server: this browser can neither read nor
 * change it, and it holds no token. It is kept in IndexedDB under the meeting id until the
 * meeting is ended, or until it expires. It also tells when the meeting would expire, for the
 * preparation's lifetime notice (see lifetime.js).
 * @module keep
 */

import { HttpError, request } from "../shared/http.js";

const DB = "tijdlijn";
const STORE = "capsules";
// After a change, wait this long for more before asking for a new capsule; never longer than
// MAX_WAIT_MS after the first change: writes keep coming during a busy part of the meeting.
const QUIET_MS = 800;
const MAX_WAIT_MS = 3000;

/** @typedef {{id: string, capsule: string, seq: number, expires_at: number, saved_at: number}} Kept */

/** @returns {Promise<IDBDatabase>} */
function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "id" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * @template T
 * @param {"readonly"|"readwrite"} mode
 * @param {(store: IDBObjectStore) => IDBRequest<T>} action
 * @returns {Promise<T>}
 */
async function withStore(mode, action) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const request = action(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

/** The meeting id a token belongs to (the part before the dot). @param {string} token */
export function meetingOf(token) {
  return token.split(".")[0];
}

/** @param {string} meetingId @returns {Promise<Kept | null>} */
export async function kept(meetingId) {
  try {
    const found = /** @type {Kept | undefined} */ (await withStore("readonly", (s) => s.get(meetingId)));
    if (!found) return null;
    if (found.expires_at * 1000 <= Date.now()) {
      await forget(meetingId);
      return null;
    }
    return found;
  } catch {
    return null; // no IndexedDB (private mode in some browsers): nothing kept
  }
}

/** @param {string} meetingId */
export async function forget(meetingId) {
  try {
    await withStore("readwrite", (s) => s.delete(meetingId));
  } catch {
    // nothing to forget
  }
}

/**
 * Send the kept capsule back to the server. Resolves "restored", "none" (nothing kept here),
 * or the server's error code.
 * @param {string} token
 * @returns {Promise<string>}
 */
export async function restore(token) {
  const found = await kept(meetingOf(token));
  if (!found) return "none";
  try {
    await request("/api/restore", { body: { capsule: found.capsule }, token });
    return "restored";
  } catch (error) {
    if (!(error instanceof HttpError)) return "error";
    // A copy the server will never take again (ended, forged, expired) is of no use.
    if (error.code === "invalid" || error.code === "meeting_gone") await forget(found.id);
    return error.code;
  }
}

/**
 * The ack of a `capsule` request: the sealed meeting as of ``seq``, when the capsule stops being
 * accepted, and when the meeting itself expires (Unix seconds).
 * @typedef {{ok: true, capsule: string, seq: number, capsule_expires_at: number, expires_at: number}
 *   | {ok: false, error: {code: string, message: string}}} CapsuleAck
 */

/**
 * Keep the capsule of the meeting fresh while the console runs.
 * @param {string} token
 * @param {() => Promise<CapsuleAck>} ask a `capsule` request on the live connection (its ack)
 * @param {(expiresAt: number) => void} onExpiry when the meeting would expire (Unix seconds)
 * @returns {{changed: () => void, stop: () => void}}
 */
export function keeper(token, ask, onExpiry) {
  const id = meetingOf(token);
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;
  let firstChange = 0;
  let stopped = false;
  let busy = false;

  async function save() {
    timer = null;
    if (stopped) return;
    if (busy) {
      timer = setTimeout(() => void save(), QUIET_MS); // the change after the one being saved
      return;
    }
    firstChange = 0;
    busy = true;
    try {
      const ack = await ask();
      if (ack?.ok && typeof ack.capsule === "string" && !stopped) {
        /** @type {Kept} */
        const record = {
          id,
          capsule: ack.capsule,
          seq: ack.seq,
          expires_at: ack.capsule_expires_at,
          saved_at: Date.now(),
        };
        await withStore("readwrite", (s) => s.put(record));
        onExpiry(ack.expires_at);
      }
    } catch {
      // IndexedDB unavailable or the link dropped: the next change tries again
    } finally {
      busy = false;
    }
  }

  return {
    changed() {
      if (stopped) return;
      const now = Date.now();
      if (!firstChange) firstChange = now;
      if (timer !== null) clearTimeout(timer);
      const wait = Math.max(0, Math.min(QUIET_MS, firstChange + MAX_WAIT_MS - now));
      timer = setTimeout(() => void save(), wait);
    },
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
    },
  };
}
