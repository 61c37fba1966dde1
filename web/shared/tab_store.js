/**
 * What one browser tab keeps for a reload (a device's token, a choice): sessionStorage, which
 * never leaves this tab. Storage may be disabled (private modes, policies); then nothing is
 * kept and the page still works until it is reloaded.
 * @module tab_store
 */

/**
 * @param {string} key
 * @returns {string | null}
 */
export function tabGet(key) {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

/**
 * Keep `value` under `key`, or forget the key when `value` is null.
 * @param {string} key
 * @param {string | null} value
 */
export function tabSet(key, value) {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch {
    // storage disabled: nothing is kept
  }
}
