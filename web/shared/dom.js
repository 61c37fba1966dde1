/**
 * Tiny DOM helpers. Text goes in with textContent only: nothing a person typed is ever parsed as
 * HTML, so a canary like `<img src=x onerror=alert(1)>` shows up literally.
 * @module dom
 */

import { t } from "./i18n.js";
import { textColourOn } from "./state.js";

/**
 * @typedef {object} ElOptions
 * @property {string | string[]} [class] class name(s)
 * @property {string} [text] text content (set with textContent)
 * @property {string} [i18n] a catalogue key: sets data-i18n and the translated text
 * @property {Record<string, string>} [i18nAttr] attribute -> catalogue key (sets data-i18n-attr)
 * @property {Record<string, string>} [data] data-* attributes
 * @property {Record<string, string>} [vars] CSS custom properties (via style.setProperty, CSP-safe)
 * @property {Record<string, string | number | boolean | null | undefined>} [attrs] other attributes;
 *   false/null/undefined leave it out, true sets it empty. on* attributes are refused.
 * @property {Record<string, EventListener>} [on] event listeners
 */

/**
 * Create an element.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {ElOptions} [options]
 * @param {...(Node | string | null | undefined | false)} children strings become text nodes
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, options = {}, ...children) {
  const node = document.createElement(tag);
  if (options.class) node.className = [options.class].flat().filter(Boolean).join(" ");
  if (options.i18n) {
    node.setAttribute("data-i18n", options.i18n);
    node.textContent = t(options.i18n);
  }
  if (options.text !== undefined) node.textContent = options.text;
  if (options.i18nAttr) {
    const pairs = Object.entries(options.i18nAttr);
    node.setAttribute("data-i18n-attr", pairs.map(([a, k]) => `${a}:${k}`).join(";"));
    for (const [attr, key] of pairs) setAttr(node, attr, t(key));
  }
  for (const [key, value] of Object.entries(options.data ?? {})) node.dataset[key] = value;
  for (const [name, value] of Object.entries(options.vars ?? {})) node.style.setProperty(name, value);
  for (const [name, value] of Object.entries(options.attrs ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    setAttr(node, name, value === true ? "" : String(value));
  }
  for (const [type, listener] of Object.entries(options.on ?? {})) node.addEventListener(type, listener);
  append(node, ...children);
  return node;
}

/** @param {Element} node @param {string} name @param {string} value */
function setAttr(node, name, value) {
  const lower = name.toLowerCase();
  if (lower.startsWith("on") || lower === "style" || lower === "srcdoc") {
    throw new Error(`dom: refusing attribute ${name}`);
  }
  node.setAttribute(name, value);
}

/**
 * Append children; strings become text nodes, falsy values are skipped.
 * @param {Node} parent
 * @param {...(Node | string | null | undefined | false)} children
 */
export function append(parent, ...children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return parent;
}

/**
 * Replace all children of node.
 * @param {Node} node
 * @param {...(Node | string | null | undefined | false)} children
 */
export function replace(node, ...children) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return append(node, ...children);
}

/** Set text safely. @param {Node} node @param {string} value */
export function setText(node, value) {
  if (node.textContent !== value) node.textContent = value;
  return node;
}

/**
 * The first element matching selector, or throw: a missing landmark is a bug worth hearing about.
 * With ``kind`` (an element class such as HTMLInputElement) it must be one of those, and is typed
 * so: `$("#code", form, HTMLInputElement).value`.
 * @template {Element} [E=HTMLElement]
 * @param {string} selector
 * @param {ParentNode} [root]
 * @param {{new (): E, prototype: E}} [kind]
 * @returns {E}
 */
export function $(selector, root = document, kind) {
  const found = root.querySelector(selector);
  if (!found) throw new Error(`dom: nothing matches ${selector}`);
  if (kind && !(found instanceof kind)) throw new Error(`dom: ${selector} is not a ${kind.name}`);
  return /** @type {E} */ (/** @type {unknown} */ (found));
}

/**
 * A party chip: a colour swatch and always the party's name, so colour is never the only cue.
 * @param {{id: string, name: string, colour: string} | null} party
 * @param {string} [extraClass]
 */
export function partyChip(party, extraClass = "") {
  if (!party) return el("span", { class: ["party-chip", "party-chip--none", extraClass], i18n: "party.none" });
  return el(
    "span",
    {
      class: ["party-chip", extraClass],
      data: { partyId: party.id },
      vars: { "--party-colour": party.colour, "--party-text": textColourOn(party.colour) },
    },
    el("span", { class: "party-chip__swatch", attrs: { "aria-hidden": "true" } }),
    el("span", { class: "party-chip__name", text: party.name }),
  );
}

/**
 * Set party colour custom properties on an element (for cards with a coloured edge).
 * @param {HTMLElement} node
 * @param {{colour: string} | null} party
 */
export function paintParty(node, party) {
  const colour = party?.colour ?? "#767676";
  node.style.setProperty("--party-colour", colour);
  node.style.setProperty("--party-text", textColourOn(colour));
  return node;
}

/**
 * Announce a message to screen readers through a polite live region (created once).
 * @param {string} message
 */
export function announce(message) {
  let region = document.getElementById("sr-announcer");
  if (!region) {
    region = el("div", { class: "visually-hidden", attrs: { id: "sr-announcer", "aria-live": "polite" } });
    document.body.append(region);
  }
  region.textContent = "";
  // A fresh text node on the next frame makes screen readers announce repeats too.
  requestAnimationFrame(() => {
    if (region) region.textContent = message;
  });
}

/**
 * A visible connection state ("verbonden" / "opnieuw verbinden…" / "offline") for the
 * connection's onStatus callback. It is a polite status region, so changes are announced too.
 * @returns {{element: HTMLElement, update: (status: string, pending?: number) => void}}
 */
export function connectionIndicator() {
  const label = el("span", { class: "connection__label" });
  const waiting = el("span", { class: "connection__pending" });
  const element = el(
    "div",
    { class: "connection", attrs: { role: "status", "aria-live": "polite" }, data: { status: "connecting" } },
    el("span", { class: "connection__dot", attrs: { "aria-hidden": "true" } }),
    label,
    waiting,
  );
  let current = "connecting";
  let pendingCount = 0;
  const render = () => {
    element.dataset.status = current;
    label.setAttribute("data-i18n", `connection.${current}`);
    setText(label, t(`connection.${current}`));
    setText(waiting, pendingCount > 0 ? t("connection.pending", { count: pendingCount }) : "");
  };
  render();
  window.addEventListener("languagechange", render);
  return {
    element,
    update(status, pending) {
      current = status;
      if (pending !== undefined) pendingCount = pending;
      render();
    },
  };
}

/**
 * Keep container's children in step with items, reusing the element of each key, so a re-render
 * does not steal focus or drop half-typed text. render(item, previous) returns the element for
 * item (previous is the element last rendered for its key, or undefined).
 * @template T
 * @param {HTMLElement} container
 * @param {T[]} items
 * @param {(item: T) => string} keyOf
 * @param {(item: T, previous: HTMLElement | undefined) => HTMLElement} render
 */
export function keyedList(container, items, keyOf, render) {
  /** @type {Map<string, HTMLElement>} */
  const old = new Map();
  for (const child of [...container.children]) {
    const key = /** @type {HTMLElement} */ (child).dataset.key;
    if (key !== undefined) old.set(key, /** @type {HTMLElement} */ (child));
    else child.remove();
  }
  let cursor = container.firstElementChild;
  for (const item of items) {
    const key = keyOf(item);
    const previous = old.get(key);
    old.delete(key);
    const node = render(item, previous);
    node.dataset.key = key;
    if (previous && previous !== node) {
      if (cursor === previous) cursor = previous.nextElementSibling;
      previous.remove();
    }
    if (node === cursor) {
      cursor = cursor.nextElementSibling;
    } else {
      container.insertBefore(node, cursor);
    }
  }
  for (const leftover of old.values()) leftover.remove();
}
