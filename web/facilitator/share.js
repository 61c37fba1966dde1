/**
 * Sharing: the join code (large), its QR code, and the links for participants, the wall and a
 * co-facilitator, each with a copy button.
 * @module facilitator/share
 */

import { t } from "../shared/i18n.js";
import { rulesAccepted } from "./method.js";
import { $, setText } from "../shared/dom.js";
import { byId, button, copyText, el, renderList } from "./ui.js";

/** Which links are shown in clear; all hidden again when the tab is left or the mode changes. */
/** @type {Set<string>} */
const shown = new Set();

/** Hide every link again (called when leaving the tab and when presenting starts). */
export function hideSecrets() {
  shown.clear();
  for (const input of document.querySelectorAll("#share-links input.link-field")) {
    if (input instanceof HTMLInputElement) mask(input);
  }
}

const MASK = "•".repeat(24);

/** The property and the attribute, so what is read from the DOM is what is shown. */
function setField(/** @type {HTMLInputElement} */ input, /** @type {string} */ text) {
  // Only a change: setting the same value again would drop a selection in the field.
  if (input.value !== text) input.value = text;
  if (input.getAttribute("value") !== text) input.setAttribute("value", text);
}

function mask(/** @type {HTMLInputElement} */ input) {
  showLink(input, false, MASK);
}

/** Show the link in clear or masked, and say so on its toggle. */
function showLink(/** @type {HTMLInputElement} */ input, /** @type {boolean} */ on, /** @type {string} */ url) {
  setField(input, on ? url : MASK);
  input.dataset.secret = on ? "shown" : "hidden";
  const toggle = document.querySelector(`[data-reveals="${input.id}"]`);
  if (toggle) {
    toggle.setAttribute("aria-pressed", String(on));
    setText(toggle, t(on ? "share.hide" : "share.show"));
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
  /** @type {import("./console.js").Share & {own_url?: string}} */
  const share = { ...(ctx.share || {}) };
  const code = share.join_code || "";
  // Spaced in two halves so it is easy to read aloud: "ACD EFG".
  byId("share-code").textContent = code.length === 6 ? `${code.slice(0, 3)} ${code.slice(3)}` : code;
  const qr = byId("share-qr", HTMLImageElement);
  if (code && qr.dataset.code !== code) {
    qr.dataset.code = code;
    qr.src = `/api/join/${encodeURIComponent(code)}/qr.svg`;
  }
  qr.alt = t("share.qr_alt", { url: share.join_url || "" });
  // The wall follows the console's language unless the link says otherwise.
  const lang = document.documentElement.lang;
  if (share.wall_url && lang && lang !== "nl") share.wall_url = share.wall_url.replace("/wall#", `/wall?lang=${lang}#`);
  // The facilitator's own link is not stored on the server (only its hash is): the console
  // knows it because it holds the token, and shows it so it can be kept somewhere safe.
  if (ctx.token) share.own_url = `${location.origin}/facilitator#${ctx.token}`;
  const rows = LINKS.filter((row) => share[row.key]).map((row) => ({ ...row, url: String(share[row.key]) }));
  // Keyed by link: a render (a phone joining, another device's change) leaves each row, the
  // focus on its buttons and a selection in its field alone; only what it shows is updated.
  renderList(byId("share-links"), rows, {
    key: (row) => row.key,
    inputs: (row) => row,
    build: linkRow,
    update: (group, row) => showLink($("input.link-field", group, HTMLInputElement), shown.has(row.key), row.url),
  });
}

/** @typedef {{key: "own_url" | "join_url" | "wall_url" | "cofacilitator_url", labelKey: string, helpKey: string}} LinkKind */
/** @type {LinkKind[]} */
const LINKS = [
  { key: "own_url", labelKey: "share.own_link", helpKey: "share.own_help" },
  { key: "join_url", labelKey: "share.join_link", helpKey: "share.join_help" },
  { key: "wall_url", labelKey: "share.wall_link", helpKey: "share.wall_help" },
  { key: "cofacilitator_url", labelKey: "share.cofacilitator_link", helpKey: "share.cofacilitator_help" },
];

/** A term and its description, grouped in a div (allowed in a dl) so the pair is one keyed item. */
function linkRow(/** @type {LinkKind & {url: string}} */ { key, labelKey, helpKey, url }) {
  const id = `share-${key}`;
  return el(
    "div",
    { class: "link-group" },
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
          attrs: { id, type: "text", readonly: true, value: MASK, "aria-labelledby": `${id}-label` },
          data: { testid: id, secret: "hidden" },
        }),
        el("button", {
          class: "button",
          text: t("share.show"),
          attrs: { type: "button", "aria-pressed": "false", "aria-controls": id },
          data: { reveals: id, testid: `show-${key}` },
          on: {
            click: () => {
              const on = !shown.has(key);
              if (on) shown.add(key);
              else shown.delete(key);
              showLink(byId(id, HTMLInputElement), on, url);
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
