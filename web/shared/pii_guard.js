/**
 * Warn before sending text that seems to contain personal data (Chatham House Rule), with the
 * choice "toch versturen" (send anyway) or "aanpassen" (edit). Guidance, not a gate: the server
 * flags such items too, and the person decides.
 * @module pii_guard
 */

import { append, el, replace } from "./dom.js";
import { hasKey, t } from "./i18n.js";

/** @type {Promise<(text: string) => string[]>} */
const detector = import("./personal_data.js").then(
  (mod) => mod.findPersonalData,
  () => () => [], // without the detector, sending simply goes ahead
);

/**
 * Ask before sending. Resolves true when there is nothing to warn about or the person chose
 * "toch versturen"; false when they chose "aanpassen" (focus goes back to the field).
 * @param {string} text
 * @param {HTMLElement} slot where the warning appears (emptied afterwards)
 * @param {HTMLElement} [field] the input to focus on "aanpassen"
 * @returns {Promise<boolean>}
 */
export async function confirmPersonalData(text, slot, field) {
  const find = await detector;
  const kinds = [...new Set(find(text))];
  if (kinds.length === 0) return true;
  const names = kinds.map((k) => t(hasKey(`pii.kind.${k}`) ? `pii.kind.${k}` : "pii.kind.other"));
  return new Promise((resolve) => {
    const done = (/** @type {boolean} */ send) => {
      replace(slot);
      if (!send) field?.focus();
      resolve(send);
    };
    const edit = el("button", { class: "button", attrs: { type: "button" }, i18n: "pii.edit", on: { click: () => done(false) } });
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
      el("p", { text: t("pii.text", { kinds: [...new Set(names)].join(", ") }) }),
      append(el("div", { class: "notice__actions" }), edit, send),
    );
    replace(slot, notice);
    edit.focus();
  });
}
