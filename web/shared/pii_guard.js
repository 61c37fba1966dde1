/**
 * Warn before sending text that seems to contain personal data (Chatham House Rule), with the
 * choice "toch versturen" (send anyway) or "aanpassen" (edit). Guidance, not a gate: the server
 * flags such items too, and the person decides. The one guard of every view: the console asks in
 * its dialog (maySend in facilitator/ui.js), phones and the intake page inline (confirmPersonalData).
 * The detector is imported statically: if it cannot load, neither can the page, so the guard is
 * never silently off.
 * @module pii_guard
 */

import { append, el, replace } from "./dom.js";
import { hasKey, t } from "./i18n.js";
import { findPersonalData } from "./personal_data.js";

/**
 * The kinds of personal data found in any of `texts`, each once, in the order found.
 * @param {...(string | null | undefined)} texts
 * @returns {string[]}
 */
export function personalDataIn(...texts) {
  return [...new Set(texts.flatMap((text) => findPersonalData(String(text || ""))))];
}

/**
 * The names of `kinds` for people ("een BSN", "een telefoonnummer"), each once.
 * @param {string[]} kinds
 * @returns {string[]}
 */
export function kindNames(kinds) {
  return [...new Set(kinds.map((k) => t(hasKey(`pii.kind.${k}`) ? `pii.kind.${k}` : "pii.kind.other")))];
}

/**
 * Ask before sending. Resolves true when there is nothing to warn about or the person chose
 * "toch versturen"; false when they chose "aanpassen" (focus goes back to the field).
 * @param {string} text
 * @param {HTMLElement} slot where the warning appears (emptied afterwards)
 * @param {HTMLElement} [field] the input to focus on "aanpassen"
 * @returns {Promise<boolean>}
 */
export async function confirmPersonalData(text, slot, field) {
  const kinds = personalDataIn(text);
  if (kinds.length === 0) return true;
  return new Promise((resolve) => {
    const done = (/** @type {boolean} */ send) => {
      replace(slot);
      if (!send) field?.focus();
      resolve(send);
    };
    const edit = el("button", {
      class: "button",
      attrs: { type: "button" },
      i18n: "pii.edit",
      on: { click: () => done(false) },
    });
    const send = el("button", {
      class: "button button--quiet",
      attrs: { type: "button" },
      i18n: "pii.send_anyway",
      on: { click: () => done(true) },
    });
    const notice = el(
      "div",
      { class: "notice notice--warning", attrs: { role: "alert" }, data: { pii: kinds.join(" ") } },
      el("p", { class: "notice__title" }, el("strong", { i18n: "pii.title" })),
      el("p", { text: t("pii.text", { kinds: kindNames(kinds).join(", ") }) }),
      append(el("div", { class: "notice__actions" }), edit, send),
    );
    replace(slot, notice);
    edit.focus();
  });
}
