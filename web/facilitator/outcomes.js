/**
 * Lessons and working agreements: concrete, and each agreement owned by a party.
 * @module facilitator/outcomes
 */

import { formatDay, t } from "../shared/i18n.js";
import { ordered, orderedParties, partyOf } from "../shared/state.js";
import { snippet } from "./interp.js";
import {
  button,
  byId,
  confirmDialog,
  el,
  field,
  fillSelect,
  maySend,
  openDialog,
  partyChip,
  piiMark,
  renderList,
} from "./ui.js";

const STATUSES = ["not_started", "in_progress", "done"];

function ownerOptions(/** @type {import("./console.js").Ctx} */ ctx) {
  return [
    { value: "", label: t("agreements.owner_none") },
    ...orderedParties(ctx.meeting).map((p) => ({ value: p.id, label: p.name })),
  ];
}

export function setup(/** @type {import("./console.js").Ctx} */ ctx) {
  byId("lesson-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const area = byId("lesson-text", HTMLTextAreaElement);
    const text = area.value.trim();
    if (!text) return area.focus();
    if (!(await maySend(text))) return area.focus();
    const ack = await ctx.send("lesson.add", { text });
    if (ack.ok) {
      area.value = "";
      area.focus();
    }
  });
  byId("agreement-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const area = byId("agreement-text", HTMLTextAreaElement);
    const text = area.value.trim();
    if (!text) return area.focus();
    if (!(await maySend(text))) return area.focus();
    const owner = byId("agreement-owner", HTMLSelectElement).value;
    const due = byId("agreement-due", HTMLInputElement).value;
    const ack = await ctx.send("agreement.add", {
      text,
      ...(owner ? { owner_party_id: owner } : {}),
      ...(due ? { due } : {}),
    });
    if (ack.ok) {
      area.value = "";
      byId("agreement-due", HTMLInputElement).value = "";
      area.focus();
    }
  });
}

export function render(/** @type {import("./console.js").Ctx} */ ctx) {
  /** @type {import("../shared/state.js").Meeting} */
  const m = ctx.meeting;
  fillSelect(byId("agreement-owner", HTMLSelectElement), ownerOptions(ctx));
  renderList(byId("lesson-list"), ordered(m.lessons), {
    key: (lesson) => lesson.id,
    inputs: (lesson, i) => [lesson, i],
    build: (lesson, i) => lessonItem(ctx, lesson, i + 1),
    emptyKey: "lessons.none",
  });
  renderList(byId("agreement-list"), ordered(m.agreements), {
    key: (agreement) => agreement.id,
    inputs: (agreement, i) => [agreement, i, partyOf(m, agreement.owner_party_id)],
    build: (agreement, i) => agreementItem(ctx, agreement, i + 1),
    emptyKey: "agreements.none",
  });
}

function lessonItem(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {import("../shared/state.js").Lesson} */ lesson,
  /** @type {number} */ n,
) {
  return el(
    "li",
    { class: "item", data: { testid: "lesson" } },
    el("p", { class: "item-text", text: lesson.text }),
    lesson.pii ? piiMark() : null,
    el(
      "div",
      { class: "button-row button-row-small" },
      button("action.edit", () => editText(ctx, "lesson.update", lesson, "lessons.edit_title", "lessons.text_label"), {
        key: `lesson-edit-${lesson.id}`,
        label: t("lessons.edit_label", { n }),
      }),
      button("action.remove", () => removeItem(ctx, "lesson.remove", lesson, "lessons.remove_title"), {
        key: `lesson-remove-${lesson.id}`,
        label: t("lessons.remove_label", { n }),
        class: "button button--small button--danger",
      }),
    ),
  );
}

function agreementItem(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {import("../shared/state.js").Agreement} */ agreement,
  /** @type {number} */ n,
) {
  const owner = partyOf(ctx.meeting, agreement.owner_party_id);
  const statusId = `agreement-status-${agreement.id}`;
  const status = el("select", { attrs: { id: statusId }, data: { key: statusId } });
  fillSelect(
    status,
    STATUSES.map((s) => ({ value: s, label: t(`agreement.status.${s}`) })),
  );
  status.value = agreement.status;
  status.addEventListener("change", () => ctx.send("agreement.status", { id: agreement.id, status: status.value }));
  return el(
    "li",
    { class: "item", data: { testid: "agreement" } },
    el("p", { class: "item-text", text: agreement.text }),
    el(
      "p",
      { class: "item-meta" },
      el("span", { text: t("agreements.owner") }),
      " ",
      partyChip(owner),
      agreement.due
        ? el("span", { class: "due", text: t("agreements.due", { date: formatDay(agreement.due) }) })
        : null,
      agreement.pii ? piiMark() : null,
    ),
    el(
      "div",
      { class: "field field-inline" },
      el("label", { text: t("agreements.status_label", { n }), attrs: { for: statusId } }),
      status,
    ),
    el(
      "div",
      { class: "button-row button-row-small" },
      button("action.edit", () => editAgreement(ctx, agreement), {
        key: `agreement-edit-${agreement.id}`,
        label: t("agreements.edit_label", { n }),
      }),
      button("action.remove", () => removeItem(ctx, "agreement.remove", agreement, "agreements.remove_title"), {
        key: `agreement-remove-${agreement.id}`,
        label: t("agreements.remove_label", { n }),
        class: "button button--small button--danger",
      }),
    ),
  );
}

async function editText(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {string} */ name,
  /** @type {{id: string, text: string}} */ item,
  /** @type {string} */ titleKey,
  /** @type {string} */ labelKey,
) {
  const text = field("dlg-item-text", labelKey, el("textarea", { attrs: { rows: 3, maxlength: 1000 } }));
  text.control.value = item.text;
  for (;;) {
    const result = await openDialog({
      title: t(titleKey),
      body: [text.wrap],
      actions: [
        { value: "cancel", i18n: "action.cancel" },
        { value: "ok", i18n: "action.save", kind: "primary" },
      ],
      validate: () => !text.control.value.trim(),
      read: () => text.control.value.trim(),
    });
    if (result.value !== "ok" || result.values === item.text) return;
    if (await maySend(result.values)) {
      await ctx.send(name, { id: item.id, text: result.values });
      return;
    }
  }
}

async function editAgreement(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {import("../shared/state.js").Agreement} */ agreement,
) {
  const text = field("dlg-agr-text", "agreements.text_label", el("textarea", { attrs: { rows: 3, maxlength: 1000 } }));
  text.control.value = agreement.text;
  const owner = field("dlg-agr-owner", "agreements.owner_label", el("select", {}));
  fillSelect(owner.control, ownerOptions(ctx));
  owner.control.value = agreement.owner_party_id || "";
  const due = field("dlg-agr-due", "agreements.due_label", el("input", { attrs: { type: "date" } }));
  due.control.value = agreement.due || "";
  for (;;) {
    const result = await openDialog({
      title: t("agreements.edit_title"),
      body: [text.wrap, owner.wrap, due.wrap],
      actions: [
        { value: "cancel", i18n: "action.cancel" },
        { value: "ok", i18n: "action.save", kind: "primary" },
      ],
      validate: () => !text.control.value.trim(),
      read: () => ({ text: text.control.value.trim(), owner: owner.control.value, due: due.control.value }),
    });
    const v = result.values;
    if (result.value !== "ok" || !v) return;
    if (v.text !== agreement.text && !(await maySend(v.text))) continue;
    /** @type {Record<string, unknown>} */
    const payload = { id: agreement.id, text: v.text };
    if (v.owner) payload.owner_party_id = v.owner;
    else payload.clear_owner = true;
    if (v.due) payload.due = v.due;
    else payload.clear_due = true;
    await ctx.send("agreement.update", payload);
    return;
  }
}

async function removeItem(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {string} */ name,
  /** @type {{id: string, text: string}} */ item,
  /** @type {string} */ titleKey,
) {
  const ok = await confirmDialog({
    title: t(titleKey),
    lines: [el("p", { class: "quote", text: snippet(item.text, 160) })],
    confirm: "action.remove",
    danger: true,
  });
  if (ok) await ctx.send(name, { id: item.id });
}
