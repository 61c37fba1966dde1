/**
 * HTTP calls beside the live connection: JSON in and out, files to download. A token travels in
 * the Authorization header, never in a URL (URLs end up in logs and browser history). Every
 * failure becomes an HttpError with the server's code ({error: {code, message}}), or `offline`
 * when no answer came at all.
 * @module http
 */

import { t } from "./i18n.js";

export class HttpError extends Error {
  /**
   * @param {string} code the server's error code, `error` when it gave none, `offline` without an answer
   * @param {string} message the server's (Dutch) message, or "" (never the code: it is shown to people)
   * @param {number} status the HTTP status, 0 without an answer
   */
  constructor(code, message, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/**
 * A caught error as an HttpError: itself, or a generic one for anything else (a broken JSON
 * answer, a bug), so a person never sees a programmer's message.
 * @param {unknown} error
 * @returns {HttpError}
 */
export function httpError(error) {
  return error instanceof HttpError ? error : new HttpError("error", "", 0);
}

/**
 * The error a non-2xx answer stands for.
 * @param {Response} response
 * @returns {Promise<HttpError>}
 */
async function failure(response) {
  let code = "error";
  let message = "";
  try {
    const body = await response.json();
    code = String(body?.error?.code || code);
    message = String(body?.error?.message || "");
    // A server that asks for a facilitator key says so in detail (docs/security.md).
    if (body?.error?.detail === "facilitator_key") code = "facilitator_key";
  } catch {
    // Not JSON: keep the generic code.
  }
  return new HttpError(code, message, response.status);
}

/**
 * @typedef {object} RequestOptions
 * @property {"GET" | "POST"} [method] POST when there is a body, else GET
 * @property {unknown} [body] sent as JSON
 * @property {string | null} [token] sent as `Authorization: Bearer <token>`
 */

/**
 * Fetch `path`; resolves with the response of a 2xx answer and rejects with an HttpError otherwise.
 * @param {string} path
 * @param {RequestOptions} [options]
 * @returns {Promise<Response>}
 */
export async function request(path, { method, body, token } = {}) {
  /** @type {Record<string, string>} */
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, {
      method: method ?? (body === undefined ? "GET" : "POST"),
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new HttpError("offline", t("error.network"), 0);
  }
  if (!response.ok) throw await failure(response);
  return response;
}

/**
 * GET JSON.
 * @param {string} path
 * @returns {Promise<any>}
 */
export async function getJson(path) {
  return (await request(path)).json();
}

/**
 * POST JSON with the token in a header, expect JSON back.
 * @param {string} path
 * @param {unknown} body
 * @param {string | null} [token]
 * @returns {Promise<any>}
 */
export async function postJson(path, body, token) {
  return (await request(path, { body: body ?? {}, token })).json();
}

/**
 * POST JSON, get a file back as a Blob plus the name the server suggests.
 * @param {string} path
 * @param {unknown} body
 * @param {string | null} [token]
 * @returns {Promise<{blob: Blob, filename: string | null}>}
 */
export async function postForFile(path, body, token) {
  const response = await request(path, { body: body ?? {}, token });
  const blob = await response.blob();
  return { blob, filename: filenameOf(response.headers.get("Content-Disposition")) };
}

/**
 * The file name in a Content-Disposition header (RFC 6266: `filename*` before `filename`).
 * @param {string | null} disposition
 * @returns {string | null}
 */
function filenameOf(disposition) {
  if (!disposition) return null;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (star) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      return null;
    }
  }
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return plain ? plain[1] : null;
}

/**
 * Offer a Blob as a download through a temporary object URL (no token in any URL).
 * @param {Blob} blob
 * @param {string} filename
 */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Give the browser a moment to start the download before the URL is revoked.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Offer data as a pretty-printed JSON download.
 * @param {unknown} data
 * @param {string} filename
 */
export function saveJson(data, filename) {
  saveBlob(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }), filename);
}
