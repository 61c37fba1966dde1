/**
 * The participant's place in a meeting, kept in sessionStorage: it survives a reload of this tab
 * and is gone when the tab closes. The token never goes in a URL.
 * @module participant/session
 */

const KEY = "tijdlijn.participant";

/**
 * @typedef {{token: string, code: string, meeting_id: string, participant_id: string,
 *   party_id: string, rules_ok?: boolean, rules_version?: number}} Session
 * ``rules_version``: the version of the ground rules this phone accepted; changed rules are
 * shown again to accept again.
 */

/** @returns {Session | null} */
export function loadSession() {
  try {
    const raw = sessionStorage.getItem(KEY);
    const value = raw ? JSON.parse(raw) : null;
    return value && typeof value.token === "string" ? value : null;
  } catch {
    return null;
  }
}

/** @param {Session} session */
export function saveSession(session) {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(session));
  } catch {
    /* storage disabled: the session lasts as long as the page */
  }
}

export function clearSession() {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    /* nothing to clear */
  }
}

// Same alphabet as server/tijdlijn/access.py: no look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B).
const CODE = /^[ACDEFGHJKMNPQRTUVWXY34679]{6}$/;

/**
 * Accept what people type ("abc 234", "abc-234"); null when it cannot be a code.
 * @param {string} text
 */
export function normaliseCode(text) {
  const cleaned = text.replace(/[\s-]/g, "").toUpperCase();
  return CODE.test(cleaned) ? cleaned : null;
}
