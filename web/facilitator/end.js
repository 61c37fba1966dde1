/**
 * "End and delete" over its own short-lived Socket.IO connection. The server announces
 * meeting.deleted to every facilitator, the sender included, before it acks with the receipt; a
 * dedicated socket lets us wait for that ack whatever the main connection does on the notice.
 * @module facilitator/end
 */

import { newOpId } from "../shared/connection.js";
import { io } from "../vendor/socket.io-client-4.8.1/socket.io.esm.min.js";

const TIMEOUT_MS = 20_000;

/**
 * The deletion receipt: what was removed and when, and whether the store was checked empty
 * (the server's fields; the receipt view shows each one it knows, and any other as it came).
 * @typedef {Record<string, unknown>} Receipt
 */
/** @typedef {{ok: true, receipt?: Receipt} | {ok: false, error: {code: string, message: string}}} EndAck */

/**
 * Resolve with the server's ack: {ok:true, receipt} or {ok:false, error:{code, message}}.
 * @param {string} token
 * @returns {Promise<EndAck>}
 */
export function endMeeting(token) {
  return new Promise((resolve) => {
    const socket = io({
      path: "/socket.io",
      transports: ["websocket", "polling"],
      auth: { token },
      forceNew: true,
      reconnection: false,
    });
    let done = false;
    const finish = (/** @type {EndAck | undefined} */ ack) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.off("disconnect");
      socket.disconnect();
      resolve(ack || { ok: false, error: { code: "error", message: "" } });
    };
    const timer = setTimeout(() => finish({ ok: false, error: { code: "unavailable", message: "" } }), TIMEOUT_MS);
    socket.on("connect", () => {
      socket.emit("meeting.end", { op_id: newOpId(), confirm: true }, finish);
    });
    // The server hangs up after deleting; if that overtakes the ack, the meeting is gone but
    // the receipt did not arrive.
    socket.on("disconnect", () => {
      finish({ ok: false, error: { code: "no_receipt", message: "" } });
    });
    socket.on("connect_error", (/** @type {Error & {data?: {code?: string, message?: string} | null}} */ err) => {
      const data = err && typeof err.data === "object" && err.data ? err.data : {};
      finish({ ok: false, error: { code: data.code || "unavailable", message: data.message || "" } });
    });
  });
}
