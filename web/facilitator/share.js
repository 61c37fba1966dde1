/**
 * Sharing: the join code (large), its QR code, and the links for participants, the wall and a
 * co-facilitator, each with a copy button.
 * @module facilitator/share
 */

import { t } from "../shared/i18n.js";
import { rulesAccepted } from "./method.js";
import { byId, button, copyText, el } from "./ui.js";

let wired = false;
/** Which links are shown in clear; all hidden again when the tab is left or the mode changes. */
const shown = new Set();

/** Hide every link again (called when leaving the tab and when presenting starts). */
export function hideSecrets() {
  shown.clear();
  wired = false;
  for (const input of document.querySelectorAll("#share-links input.link-field")) mask(input);
}

const MASK = "•".repeat(24);

/** The property and the attribute, so what is read from the DOM is what is shown. */
function setField(/** @type {any} */ input, /** @type {string} */ text) {
  input.value = text;
  input.setAttribute("value", text);
}

function mask(/** @type {any} */ input) {
  setField(input, MASK);
  input.dataset.secret = "hidden";
  const toggle = document.querySelector(`[data-reveals="${input.id}"]`);
  if (toggle) {
    toggle.setAttribute("aria-pressed", "false");
    toggle.textContent = t("share.show");
  }
}

export function setup(/** @type {import("./console.js").Ctx} */ ctx) {
  byId("copy-code").addEventListener("click", () => {
    if (ctx.share.join_code) copyText(ctx.share.join_code);
  });
}

export function render(/** @type {import("./console.js").Ctx} */ ctx) {
  // During the introduction this tab is open: how many phones accepted the ground rules.
  byId("share-rules-accepted").textContent = rulesAccepted(ctx);
  const share = { ...(ctx.share || {}) };
  const code = share.join_code || "";
  // Spaced in two halves so it is easy to read aloud: "ACD EFG".
  byId("share-code").textContent = code.length === 6 ? `${code.slice(0, 3)} ${code.slice(3)}` : code;
  const qr = byId("share-qr");
  if (code && qr.dataset.code !== code) {
    qr.dataset.code = code;
    qr.src = `/api/join/${encodeURIComponent(code)}/qr.svg`;
  }
  qr.alt = t("share.qr_alt", { url: share.join_url || "" });
  if (wired && byId("share-links").dataset.lang === document.documentElement.lang) return;
  // The wall follows the console's language unless the link says otherwise.
  const lang = document.documentElement.lang;
  if (share.wall_url && lang && lang !== "nl") share.wall_url = share.wall_url.replace("/wall#", `/wall?lang=${lang}#`);
  wired = true;
  byId("share-links").dataset.lang = document.documentElement.lang;
  // The facilitator's own link is not stored on the server (only its hash is): the console
  // knows it because it holds the token, and shows it so it can be kept somewhere safe.
  if (ctx.token) share.own_url = `${location.origin}/facilitator#${ctx.token}`;
  const rows = [
    ["own_url", "share.own_link", "share.own_help"],
    ["join_url", "share.join_link", "share.join_help"],
    ["wall_url", "share.wall_link", "share.wall_help"],
    ["cofacilitator_url", "share.cofacilitator_link", "share.cofacilitator_help"],
  ];
  const nodes = [];
  for (const [key, labelKey, helpKey] of rows) {
    const url = share[key];
    if (!url) continue;
    const id = `share-${key}`;
    nodes.push(
      el("dt", { text: t(labelKey), attrs: { id: `${id}-label` } }),
      el(
        "dd",
        {},
        el("p", { class: "help", text: t(helpKey) }),
        el(
          "div",
          { class: "copy-row" },
          // Hidden until asked for: a projected console must not show a key to the meeting.
          el("input", {
            class: "link-field",
            attrs: {
              id,
              type: "text",
              readonly: true,
              value: shown.has(key) ? url : MASK,
              "aria-labelledby": `${id}-label`,
            },
            data: { testid: id, secret: shown.has(key) ? "shown" : "hidden" },
          }),
          el("button", {
            class: "button",
            text: t(shown.has(key) ? "share.hide" : "share.show"),
            attrs: { type: "button", "aria-pressed": String(shown.has(key)), "aria-controls": id },
            data: { reveals: id, testid: `show-${key}` },
            on: {
              click: (event) => {
                const input = byId(id);
                const on = input.dataset.secret !== "shown";
                if (on) shown.add(key);
                else shown.delete(key);
                setField(input, on ? url : MASK);
                input.dataset.secret = on ? "shown" : "hidden";
                const toggle = /** @type {HTMLElement} */ (event.currentTarget);
                toggle.setAttribute("aria-pressed", String(on));
                toggle.textContent = t(on ? "share.hide" : "share.show");
              },
            },
          }),
          button("share.copy", () => copyText(url), {
            label: t("share.copy_label", { what: t(labelKey) }),
            testid: `copy-${key}`,
            class: "button",
          }),
        ),
      ),
    );
  }
  byId("share-links").replaceChildren(...nodes);
}
