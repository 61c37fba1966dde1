/**
 * Common threads (rode draden): 3-4 patterns, each on a level of the collaboration triangle and
 * pointing back at concrete moments and recurring themes.
 * @module facilitator/threads
 */

import { t } from "../shared/i18n.js";
import { TRIANGLE_LEVELS, ordered, orderedMoments, orderedThemes } from "../shared/state.js";
import { momentLabel } from "./interp.js";
import { $ } from "../shared/dom.js";
import { button, byId, confirmDialog, el, field, fillSelect, maySend, openDialog, renderList } from "./ui.js";

export function setup(/** @type {Ctx} */ ctx) {
  byId("thread-add").addEventListener("click", () => threadDialog(ctx, null));
}

/** @typedef {import("./console.js").Ctx} Ctx */
/** @typedef {import("../shared/state.js").Thread} Thread */
/** @typedef {import("../shared/state.js").TriangleLevel} TriangleLevel */

/**
 * One section per level of the triangle (and one for threads on no level, while there are any),
 * each a keyed list: a thread added or changed elsewhere leaves the others' elements alone.
 */
export function render(/** @type {Ctx} */ ctx) {
  const threads = ordered(ctx.meeting.threads);
  /** @type {(TriangleLevel | null)[]} */
  const levels = [...TRIANGLE_LEVELS];
  if (threads.some((th) => !th.level)) levels.push(null);
  renderList(byId("thread-levels"), levels, {
    key: (level) => level || "none",
    inputs: (level) => level,
    build: levelSection,
    update: (section, level) => {
      const mine = threads.filter((th) => (th.level || null) === level);
      renderList($("ul.thread-list", section), mine, {
        key: (thread) => thread.id,
        // What the item shows: the thread and the labels of the moments and themes it points at.
        inputs: (thread) => [
          thread,
          linkedMoments(ctx, thread).map((mo) => momentLabel(ctx, mo)),
          linkedThemes(ctx, thread),
        ],
        build: (thread) => threadItem(ctx, thread),
        emptyKey: "threads.none_on_level",
      });
    },
  });
}

function levelSection(/** @type {TriangleLevel | null} */ level) {
  return el(
    "section",
    { class: `thread-level level-${level || "none"}`, attrs: { "aria-labelledby": `level-${level || "none"}` } },
    el("h3", {
      class: "level-heading",
      text: t(`triangle.${level || "unplaced"}`),
      attrs: { id: `level-${level || "none"}` },
    }),
    level ? el("p", { class: "help", text: t(`triangle.${level}_help`) }) : null,
    el("ul", { class: "thread-list" }),
  );
}

function linkedMoments(/** @type {Ctx} */ ctx, /** @type {Thread} */ thread) {
  return thread.moment_ids.map((id) => ctx.meeting.moments[id]).filter(Boolean);
}

function linkedThemes(/** @type {Ctx} */ ctx, /** @type {Thread} */ thread) {
  return thread.theme_ids.map((id) => ctx.meeting.themes[id]?.label).filter((label) => label !== undefined);
}

function threadItem(/** @type {Ctx} */ ctx, /** @type {Thread} */ thread) {
  const moments = linkedMoments(ctx, thread);
  const themes = linkedThemes(ctx, thread);
  const short = thread.text.length > 40 ? `${thread.text.slice(0, 39)}…` : thread.text;
  return el(
    "li",
    { class: "thread", data: { testid: "thread", threadId: thread.id } },
    el("p", { class: "thread-text", text: thread.text }),
    moments.length
      ? el(
          "div",
          { class: "links-block" },
          el("span", { class: "links-label", text: t("threads.moments") }),
          el("ul", { class: "link-tags" }, ...moments.map((mo) => el("li", { text: momentLabel(ctx, mo) }))),
        )
      : null,
    themes.length
      ? el(
          "div",
          { class: "links-block" },
          el("span", { class: "links-label", text: t("threads.themes") }),
          el("ul", { class: "theme-tags" }, ...themes.map((label) => el("li", { class: "theme-tag", text: label }))),
        )
      : null,
    el(
      "div",
      { class: "button-row button-row-small" },
      button("action.edit", () => threadDialog(ctx, thread), {
        key: `thread-edit-${thread.id}`,
        label: t("threads.edit_label", { text: short }),
      }),
      button("action.remove", () => removeThread(ctx, thread, short), {
        key: `thread-remove-${thread.id}`,
        label: t("threads.remove_label", { text: short }),
        class: "button button--small button--danger",
      }),
    ),
  );
}

function checkboxes(
  /** @type {string} */ name,
  /** @type {string} */ legendKey,
  /** @type {import("./ui.js").Option[]} */ options,
  /** @type {string[]} */ chosen,
) {
  const box = el("fieldset", { class: "field checkbox-list" }, el("legend", { i18n: legendKey }));
  if (!options.length) box.append(el("p", { class: "help", i18n: `${legendKey}_empty` }));
  options.forEach((o, i) => {
    const id = `dlg-${name}-${i}`;
    box.append(
      el(
        "div",
        { class: "check" },
        el("input", {
          attrs: { type: "checkbox", id, value: o.value, checked: chosen.includes(o.value) },
          data: { group: name },
        }),
        el("label", { text: o.label, attrs: { for: id } }),
      ),
    );
  });
  return box;
}

async function threadDialog(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {import("../shared/state.js").Thread | null} */ thread,
) {
  const m = ctx.meeting;
  const text = field("dlg-thread-text", "threads.text_label", el("textarea", { attrs: { rows: 3, maxlength: 1000 } }));
  text.control.value = thread?.text || "";
  const level = field("dlg-thread-level", "threads.level_label", el("select", {}));
  fillSelect(level.control, [
    { value: "", label: t("triangle.unplaced") },
    ...TRIANGLE_LEVELS.map((l) => ({ value: l, label: t(`triangle.${l}`) })),
  ]);
  level.control.value = thread?.level || "";
  const momentBox = checkboxes(
    "thread-moment",
    "threads.moments_legend",
    orderedMoments(m)
      .filter((mo) => mo.state === "revealed" || thread?.moment_ids.includes(mo.id))
      .map((mo) => ({ value: mo.id, label: momentLabel(ctx, mo) })),
    thread?.moment_ids || [],
  );
  const themeBox = checkboxes(
    "thread-theme",
    "threads.themes_legend",
    orderedThemes(m).map((th) => ({ value: th.id, label: th.label })),
    thread?.theme_ids || [],
  );
  const picked = (/** @type {string} */ group) =>
    [...byId("dialog-body").querySelectorAll(`input[data-group="${group}"]:checked`)].map(
      (input) => /** @type {HTMLInputElement} */ (input).value,
    );
  const result = await openDialog({
    title: t(thread ? "threads.edit_title" : "threads.add_title"),
    body: [text.wrap, level.wrap, momentBox, themeBox],
    actions: [
      { value: "cancel", i18n: "action.cancel" },
      { value: "ok", i18n: thread ? "action.save" : "threads.add", kind: "primary", testid: "dialog-thread-submit" },
    ],
    validate: () => !text.control.value.trim(),
    read: () => ({
      text: text.control.value.trim(),
      level: level.control.value,
      moment_ids: picked("thread-moment"),
      theme_ids: picked("thread-theme"),
    }),
  });
  const v = result.values;
  if (result.value !== "ok" || !v) return;
  if (v.text !== thread?.text && !(await maySend(v.text))) return;
  if (thread) {
    /** @type {Record<string, unknown>} */
    const payload = { id: thread.id, text: v.text, moment_ids: v.moment_ids, theme_ids: v.theme_ids };
    if (v.level) payload.level = v.level;
    else payload.clear_level = true;
    await ctx.send("thread.update", payload);
  } else {
    /** @type {Record<string, unknown>} */
    const payload = { text: v.text, moment_ids: v.moment_ids, theme_ids: v.theme_ids };
    if (v.level) payload.level = v.level;
    await ctx.send("thread.add", payload);
  }
}

async function removeThread(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {import("../shared/state.js").Thread} */ thread,
  /** @type {string} */ short,
) {
  const ok = await confirmDialog({
    title: t("threads.remove_title"),
    lines: [el("p", { class: "quote", text: short })],
    confirm: "action.remove",
    danger: true,
  });
  if (ok) await ctx.send("thread.remove", { id: thread.id });
}
