// HTTP calls of the console. The facilitator token travels in a header, never in a URL.

export class ApiError extends Error {
  constructor(code, message, status) {
    super(message || code);
    this.code = code;
    this.status = status;
  }
}

async function failure(response) {
  let code = 'error';
  let message = '';
  try {
    const body = await response.json();
    code = body?.error?.code || code;
    message = body?.error?.message || '';
    // A server that asks for a facilitator key says so in detail (docs/security.md).
    if (body?.error?.detail === 'facilitator_key') code = 'facilitator_key';
  } catch {
    // Not JSON: keep the generic code.
  }
  if (response.status === 410) code = 'meeting_gone';
  return new ApiError(code, message, response.status);
}

function headers(token) {
  const out = { 'Content-Type': 'application/json' };
  if (token) out.Authorization = `Bearer ${token}`;
  return out;
}

/** POST JSON with the token in a header; an ApiError for anything but a 2xx answer. */
async function post(path, body, token) {
  let response;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers: headers(token),
      body: JSON.stringify(body ?? {}),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError('offline', '', 0);
  }
  if (!response.ok) throw await failure(response);
  return response;
}

/** POST JSON, expect JSON back. */
export async function postJson(path, body, token) {
  return (await post(path, body, token)).json();
}

/** POST JSON, get a file back as a Blob plus the name the server suggests. */
export async function postForFile(path, body, token) {
  const response = await post(path, body, token);
  const blob = await response.blob();
  return { blob, filename: filenameOf(response.headers.get('Content-Disposition')) };
}

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

/** Offer a Blob as a download through a temporary object URL (no token in any URL). */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Give the browser a moment to start the download before the URL is revoked.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function saveJson(data, filename) {
  saveBlob(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }), filename);
}
