/**
 * The jargon hint under a text field: abbreviations with their full form, unknown ones with
 * "schrijf voluit". Shown while typing; never blocks sending.
 * @module jargon_hint
 */

import { findJargon } from "./jargon.js";
import { t } from "./i18n.js";

/**
 * The hint for ``text`` as one sentence, or "" when there is nothing to say.
 * @param {string} text
 * @param {Iterable<string>} [ignore] e.g. the case's initials without dots
 */
export function jargonHint(text, ignore = []) {
  const found = findJargon(text, ignore);
  if (!found.length) return "";
  const items = found.map((h) =>
    h.full ? t("jargon.known", { abbr: h.abbr, full: h.full }) : t("jargon.unknown", { abbr: h.abbr }),
  );
  return t("jargon.hint", { items: items.join("; ") });
}

/**
 * Keep ``hint`` up to date with the jargon in ``field`` while typing; returns the update function.
 * @param {HTMLInputElement | HTMLTextAreaElement} field
 * @param {HTMLElement} hint
 * @param {() => Iterable<string>} [ignore]
 */
export function attachJargonHint(field, hint, ignore = () => []) {
  const update = () => {
    hint.textContent = jargonHint(field.value, ignore());
    hint.dataset.jargon = hint.textContent ? "1" : "";
  };
  field.addEventListener("input", update);
  return update;
}
