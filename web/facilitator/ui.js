/**
 * Small DOM helpers for the console: elements built with textContent only, dialogs, messages.
 * User text never goes through innerHTML; colours are set through the CSSOM (allowed by the CSP).
 * @module facilitator/ui
 */

import { getLanguage, t, translateDom } from "../shared/i18n.js";
import { el, keyedList, partyChip, replace } from "../shared/dom.js";
import { kindNames, personalDataIn } from "../shared/pii_guard.js";

export { el, partyChip };

/**
 * The console's element with this id, or throw: every id the console asks for is in its page, so
 * a missing one is a bug worth hearing about. With ``kind`` (an element class) it must be one of
 * those and is typed so: `byId("insert-text", HTMLTextAreaElement).value`.
 * @template {HTMLElement} [E=HTMLElement]
 * @param {string} id
 * @param {{new (): E, prototype: E}} [kind]
 * @returns {NoInfer<E>} (not inferred from where it is used: only ``kind`` makes it narrower)
 */
export function byId(id, kind) {
  const found = document.getElementById(id);
  if (!found) throw new Error(`console: no element #${id}`);
  if (kind && !(found instanceof kind)) throw new Error(`console: #${id} is not a ${kind.name}`);
  return /** @type {E} */ (found);
}

/**
 * Re-render ``fn`` without losing the keyboard user's place: the focused control is found again
 * by its data-key after the lists were rebuilt.
 */
export function keepingFocus(/** @type {() => void} */ fn) {
  const active = /** @type {HTMLElement | null} */ (document.activeElement);
  const key = active?.dataset?.key;
  fn();
  if (key && active && !active.isConnected) {
    const again = document.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again instanceof HTMLElement) again.focus({ preventScroll: true });
  }
}

/** @type {WeakMap<HTMLElement, string>} what each keyed item was last built from */
const builtFrom = new WeakMap();

/**
 * How {@link renderList} renders one kind of item.
 * @template T
 * @typedef {object} ListHow
 * @property {(item: T) => string} key the item's id: its element is reused for the same key
 * @property {(item: T, index: number) => unknown} inputs everything ``build`` shows (JSON); the
 *   element is rebuilt only when this changes
 * @property {(item: T, index: number) => HTMLElement} build makes the item's element
 * @property {(node: HTMLElement, item: T, index: number) => void} [update] brings a kept (or new)
 *   element up to date in place, on every render: for what may change while the element must stay
 *   (a list inside it, a checkbox, a count), so focus and typed text inside it survive
 * @property {string} [emptyKey] with no items, the list shows this catalogue key (else nothing)
 */

/**
 * Render a list keyed by id (shared/dom.js keyedList): an item whose inputs did not change keeps
 * its element, so focus and scroll survive a render and the screen reader hears nothing new; a
 * changed item is rebuilt in its place.
 * @template T
 * @param {HTMLElement} list
 * @param {T[]} items
 * @param {ListHow<T>} how
 */
export function renderList(list, items, { key, inputs, build, update, emptyKey }) {
  if (!items.length && emptyKey) {
    // Kept while it says the same, so a render changes nothing a screen reader would announce.
    const shown = list.children.length === 1 ? list.firstElementChild : null;
    if (shown?.getAttribute("data-i18n") === emptyKey && shown.textContent === t(emptyKey)) return;
    list.replaceChildren(el("li", { class: "empty", i18n: emptyKey }));
    return;
  }
  const index = new Map(items.map((item, i) => [item, i]));
  keyedList(list, items, key, (item, previous) => {
    const i = index.get(item) ?? 0;
    const signature = JSON.stringify([getLanguage(), inputs(item, i)]);
    let node = previous && builtFrom.get(previous) === signature ? previous : null;
    if (!node) {
      node = build(item, i);
      builtFrom.set(node, signature);
    }
    update?.(node, item, i);
    return node;
  });
}

/** @type {WeakMap<HTMLElement, string>} what each part was last filled from */
const partFrom = new WeakMap();

/**
 * Fill ``box`` with what ``build`` returns, only when ``inputs`` (JSON) changed since the last
 * fill: the changing part of a kept element (a card's head, a row's buttons) is redone while the
 * rest of the element, and the focus in it, stays.
 * @param {HTMLElement} box
 * @param {unknown} inputs
 * @param {() => (Node | string | null | undefined | false)[]} build
 */
export function renderPart(box, inputs, build) {
  const signature = JSON.stringify([getLanguage(), inputs]);
  if (partFrom.get(box) === signature) return;
  partFrom.set(box, signature);
  replace(box, ...build());
}

/** @typedef {{value: string, label: string, disabled?: boolean}} Option */

/**
 * Replace a select's options, keeping the chosen value when it still exists.
 * @param {HTMLSelectElement} select
 * @param {Option[]} options
 * @param {string} [fallback] chosen when the previous value is gone
 */
export function fillSelect(select, options, fallback) {
  const previous = select.value;
  select.replaceChildren(
    ...options.map((o) => el("option", { text: o.label, attrs: { value: o.value, disabled: Boolean(o.disabled) } })),
  );
  if (options.some((o) => o.value === previous)) select.value = previous;
  else if (fallback !== undefined && options.some((o) => o.value === fallback)) {
    select.value = fallback;
  }
}

export function piiMark() {
  return el("span", { class: "badge badge-pii", i18n: "pii.mark" });
}

/**
 * A small button. ``key`` makes it findable again after a re-render (see keepingFocus).
 * @param {string} i18nKey
 * @param {(event: Event) => unknown} onClick
 * @param {{class?: string, disabled?: boolean, key?: string, testid?: string, params?: Record<string, string | number>, label?: string}} [opts]
 */
export function button(i18nKey, onClick, opts = {}) {
  const node = el("button", {
    class: opts.class || "button button--small",
    on: { click: onClick },
    attrs: { type: "button", disabled: Boolean(opts.disabled) },
    data: { ...(opts.key ? { key: opts.key } : {}), ...(opts.testid ? { testid: opts.testid } : {}) },
  });
  node.textContent = t(i18nKey, opts.params);
  // A visible short label plus a longer accessible name that says which item it acts on.
  if (opts.label) node.setAttribute("aria-label", opts.label);
  return node;
}

// Messages --------------------------------------------------------------------------------------

export function toast(/** @type {string} */ message, kind = "info") {
  const box = byId("toasts");
  const item = el("p", { class: `toast toast-${kind}`, text: message });
  // Never in the way: it was read out when it came (role=status), so reaching for what lies
  // under it (a card's buttons, in the corner where toasts stack) puts it away at once.
  item.addEventListener("pointerenter", () => item.remove());
  box.append(item);
  while (box.firstElementChild && box.children.length > 3) box.firstElementChild.remove();
  setTimeout(() => item.remove(), kind === "error" ? 9000 : 5000);
}

/**
 * Say under a form whether its save worked: a status line in the form (kept until the next
 * save) and a toast. A refused or failed save says so in red; the form keeps what was typed.
 */
export function saveStatus(
  /** @type {HTMLElement} */ form,
  /** @type {import("../shared/connection.js").Ack | null | undefined} */ ack,
  /** @type {string} */ savedKey,
) {
  let line = form.querySelector(":scope > .form-status");
  if (!line) {
    line = el("p", { class: "form-status", attrs: { role: "status" } });
    form.append(line);
  }
  const ok = Boolean(ack?.ok);
  line.setAttribute("data-kind", ok ? "ok" : "error");
  line.textContent = ok ? t(savedKey) : t("save.failed");
  if (ok) toast(t(savedKey));
}

// Dialogs ---------------------------------------------------------------------------------------

let dialogOpen = false;

/**
 * @typedef {object} DialogAction
 * @property {string} value
 * @property {string} i18n the button's catalogue key
 * @property {"primary" | "danger"} [kind]
 * @property {string} [testid]
 */

/**
 * Show the modal dialog. ``body`` is a list of nodes (form fields), ``actions`` a list of
 * {value, i18n, kind, testid}. Resolves with the chosen value ('' when dismissed with Escape)
 * and the form's element values, read before the dialog closes.
 * @template [V=null]
 * @param {{title: string, body?: Node[], actions: DialogAction[], read?: () => V, validate?: () => unknown}} options
 *   ``validate`` returns something truthy (a problem) to keep the dialog open
 * @returns {Promise<{value: string, values: V | null}>} values is null when cancelled
 */
export function openDialog({ title, body = [], actions, read, validate }) {
  const dialog = byId("dialog", HTMLDialogElement);
  const form = byId("dialog-form");
  const opener = /** @type {HTMLElement | null} */ (document.activeElement);
  if (dialogOpen) dialog.close("");
  byId("dialog-title").textContent = title;
  byId("dialog-body").replaceChildren(...body);
  const buttons = actions.map((a) =>
    el("button", {
      class: a.kind === "primary" ? "button button--primary" : a.kind === "danger" ? "button button--danger" : "button",
      text: t(a.i18n),
      attrs: { type: "submit", value: a.value },
      data: a.testid ? { testid: a.testid } : {},
    }),
  );
  byId("dialog-actions").replaceChildren(...buttons);
  translateDom(byId("dialog-body"));
  return new Promise((resolve) => {
    /** @type {V | null} */
    let values = null;
    const onSubmit = (/** @type {SubmitEvent} */ event) => {
      const value = event.submitter instanceof HTMLButtonElement ? event.submitter.value : "";
      if (value !== "cancel" && validate) {
        const problem = validate();
        if (problem) {
          event.preventDefault();
          return;
        }
      }
      values = value !== "cancel" && read ? read() : null;
    };
    const onClose = () => {
      form.removeEventListener("submit", onSubmit);
      dialog.removeEventListener("close", onClose);
      dialogOpen = false;
      const value = dialog.returnValue === "cancel" ? "" : dialog.returnValue;
      if (opener && opener.isConnected) opener.focus();
      resolve({ value, values });
    };
    form.addEventListener("submit", onSubmit);
    dialog.addEventListener("close", onClose);
    dialog.returnValue = "";
    dialogOpen = true;
    dialog.showModal();
    // The first field, or else the first (safe) button: Enter must never confirm a deletion.
    const first = byId("dialog-body").querySelector("input, textarea, select");
    (first instanceof HTMLElement ? first : buttons[0])?.focus();
  });
}

/**
 * Yes/no confirmation. Resolves true when ``confirm`` was chosen.
 * @param {{title: string, lines: (string | Node)[], confirm: string, cancel?: string, danger?: boolean, testid?: string}} options
 * @returns {Promise<boolean>}
 */
export async function confirmDialog({ title, lines, confirm, cancel = "action.cancel", danger, testid }) {
  const { value } = await openDialog({
    title,
    body: lines.map((line) => (line instanceof Node ? line : el("p", { text: line }))),
    actions: [
      { value: "cancel", i18n: cancel, testid: testid ? `${testid}-cancel` : undefined },
      {
        value: "ok",
        i18n: confirm,
        kind: danger ? "danger" : "primary",
        testid: testid ? `${testid}-confirm` : undefined,
      },
    ],
  });
  return value === "ok";
}

/**
 * A labelled field for a dialog.
 * @template {HTMLElement} C
 * @param {string} id
 * @param {string} labelKey
 * @param {C} control
 * @param {string} [helpKey]
 * @returns {{wrap: HTMLDivElement, control: C}}
 */
export function field(id, labelKey, control, helpKey) {
  control.id = id;
  const wrap = el("div", { class: "field" }, el("label", { i18n: labelKey, attrs: { for: id } }), control);
  if (helpKey) {
    const help = el("p", { class: "help", attrs: { id: `${id}-help` }, i18n: helpKey });
    control.setAttribute("aria-describedby", help.id);
    wrap.append(help);
  }
  return { wrap, control };
}

/** Copy text to the clipboard; tell the user either way. */
export async function copyText(/** @type {string} */ text) {
  try {
    await navigator.clipboard.writeText(text);
    toast(t("share.copied"));
  } catch {
    toast(t("share.copy_failed"), "error");
  }
}

/**
 * The console's personal-data guard (shared/pii_guard.js) in its dialog. True when ``texts`` may
 * be sent: nothing looks like personal data, or the facilitator chose "toch versturen". False
 * means: go back and rephrase (the typed text stays where it was).
 */
export async function maySend(/** @type {(string | null | undefined)[]} */ ...texts) {
  const kinds = personalDataIn(...texts);
  if (!kinds.length) return true;
  return confirmDialog({
    title: t("pii.title"),
    lines: [
      t("pii.text", { kinds: kindNames(kinds).join(", ") }),
      el("p", { class: "help", text: t("pii.facilitator_note") }),
    ],
    confirm: "pii.send_anyway",
    cancel: "pii.edit",
    testid: "pii",
  });
}
