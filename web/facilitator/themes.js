/**
 * Recurring themes: flag them on moments and interpretations, rename, merge, remove.
 * @module facilitator/themes
 */

import { t } from "../shared/i18n.js";
import { orderedThemes, partyOf } from "../shared/state.js";
import { byId, button, confirmDialog, el, field, fillSelect, openDialog, partyChip, renderList } from "./ui.js";

function short(/** @type {string} */ text, length = 50) {
  const flat = String(text || "")
    .replace(/\s+/g, " ")
    .trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}

export function render(/** @type {import("./console.js").Ctx} */ ctx) {
  const themes = orderedThemes(ctx.meeting);
  const m = ctx.meeting;
  renderList(byId("theme-list"), themes, {
    key: (theme) => theme.id,
    // What the item shows: the theme, whether it can merge, and the flagged texts with their parties.
    inputs: (theme) => [
      theme,
      themes.length > 1,
      theme.flags.map((flag) => {
        if (flag.target === "moment") return m.moments[flag.id]?.text ?? null;
        const interp = m.interpretations[flag.id];
        return interp ? [interp.text, partyOf(m, interp.party_id)] : null;
      }),
    ],
    build: (theme) => themeItem(ctx, theme, themes),
    emptyKey: "themes.none",
  });
}

function themeItem(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {import("../shared/state.js").Theme} */ theme,
  /** @type {import("../shared/state.js").Theme[]} */ all,
) {
  const count = theme.flags.length;
  const flags = theme.flags.map((flag) => flagItem(ctx, theme, flag)).filter(Boolean);
  return el(
    "li",
    { class: "theme", data: { testid: "theme", themeId: theme.id } },
    el(
      "div",
      { class: "theme-head" },
      el("h3", { class: "theme-label", text: theme.label }),
      el("span", { class: "badge", text: t("themes.count", { count }) }),
    ),
    flags.length ? el("ul", { class: "flag-list" }, ...flags) : null,
    el(
      "div",
      { class: "button-row button-row-small" },
      button("themes.rename", () => renameDialog(ctx, theme), {
        key: `theme-rename-${theme.id}`,
        label: t("themes.rename_label", { label: theme.label }),
      }),
      all.length > 1
        ? button("themes.merge", () => mergeDialog(ctx, theme), {
            key: `theme-merge-${theme.id}`,
            label: t("themes.merge_label", { label: theme.label }),
          })
        : null,
      button("action.remove", () => removeTheme(ctx, theme), {
        key: `theme-remove-${theme.id}`,
        label: t("themes.remove_label", { label: theme.label }),
        class: "button button--small button--danger",
      }),
    ),
  );
}

function flagItem(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {import("../shared/state.js").Theme} */ theme,
  /** @type {import("../shared/state.js").Flag} */ flag,
) {
  const m = ctx.meeting;
  let what;
  if (flag.target === "moment") {
    const moment = m.moments[flag.id];
    if (!moment) return null;
    what = el("span", {}, el("span", { class: "flag-kind", text: t("themes.on_moment") }), " ", short(moment.text));
  } else {
    const interp = m.interpretations[flag.id];
    if (!interp) return null;
    what = el(
      "span",
      {},
      el("span", { class: "flag-kind", text: t("themes.on_interp") }),
      " ",
      partyChip(partyOf(m, interp.party_id)),
      " ",
      short(interp.text),
    );
  }
  return el(
    "li",
    {},
    what,
    " ",
    button("themes.unflag", () => ctx.send("theme.unflag", { theme_id: theme.id, target: flag.target, id: flag.id }), {
      key: `unflag-${theme.id}-${flag.id}`,
      label: t("themes.unflag_label", { label: theme.label }),
    }),
  );
}

async function renameDialog(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {import("../shared/state.js").Theme} */ theme,
) {
  const label = field("dlg-theme-label", "themes.label_label", el("input", { attrs: { type: "text", maxlength: 60 } }));
  label.control.value = theme.label;
  const result = await openDialog({
    title: t("themes.rename_title"),
    body: [label.wrap],
    actions: [
      { value: "cancel", i18n: "action.cancel" },
      { value: "ok", i18n: "action.save", kind: "primary" },
    ],
    validate: () => !label.control.value.trim(),
    read: () => label.control.value.trim(),
  });
  if (result.value === "ok" && result.values !== theme.label) {
    await ctx.send("theme.rename", { id: theme.id, label: result.values });
  }
}

async function mergeDialog(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {import("../shared/state.js").Theme} */ theme,
) {
  const into = field("dlg-theme-into", "themes.merge_into", el("select", {}));
  fillSelect(
    into.control,
    orderedThemes(ctx.meeting)
      .filter((th) => th.id !== theme.id)
      .map((th) => ({ value: th.id, label: th.label })),
  );
  const result = await openDialog({
    title: t("themes.merge_title", { label: theme.label }),
    body: [el("p", { class: "help", text: t("themes.merge_help") }), into.wrap],
    actions: [
      { value: "cancel", i18n: "action.cancel" },
      { value: "ok", i18n: "themes.merge", kind: "primary" },
    ],
    read: () => into.control.value,
  });
  if (result.value === "ok" && result.values) {
    await ctx.send("theme.merge", { id: theme.id, into: result.values });
  }
}

async function removeTheme(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {import("../shared/state.js").Theme} */ theme,
) {
  const ok = await confirmDialog({
    title: t("themes.remove_title", { label: theme.label }),
    lines: [t("themes.remove_text")],
    confirm: "action.remove",
    danger: true,
  });
  if (ok) await ctx.send("theme.remove", { id: theme.id });
}

/** Flag a theme on a revealed moment or an interpretation: pick an existing one or name a new one. */
export async function flagThemeDialog(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {import("../shared/state.js").Flag["target"]} */ target,
  /** @type {string} */ id,
) {
  const themes = orderedThemes(ctx.meeting);
  const choice = field("dlg-theme-choice", "themes.choose", el("select", {}));
  fillSelect(choice.control, [
    { value: "", label: t("themes.choose_new") },
    ...themes.map((th) => ({ value: th.id, label: th.label })),
  ]);
  const label = field("dlg-theme-new", "themes.new_label", el("input", { attrs: { type: "text", maxlength: 60 } }));
  const sync = () => {
    label.wrap.hidden = Boolean(choice.control.value);
  };
  choice.control.addEventListener("change", sync);
  sync();
  const result = await openDialog({
    title: t(target === "moment" ? "themes.flag_moment_title" : "themes.flag_interp_title"),
    body: themes.length ? [choice.wrap, label.wrap] : [label.wrap],
    actions: [
      { value: "cancel", i18n: "action.cancel" },
      { value: "ok", i18n: "themes.flag", kind: "primary", testid: "dialog-theme-submit" },
    ],
    validate: () => !choice.control.value && !label.control.value.trim(),
    read: () => ({ theme_id: choice.control.value, label: label.control.value.trim() }),
  });
  if (result.value !== "ok" || !result.values) return;
  /** @type {Record<string, unknown>} */
  const payload = { target, id };
  if (result.values.theme_id) payload.theme_id = result.values.theme_id;
  else payload.label = result.values.label;
  await ctx.send("theme.flag", payload);
}

/** Themes as select/checkbox options, for pickers elsewhere. */
export function themeOptions(/** @type {import("./console.js").Ctx} */ ctx) {
  return orderedThemes(ctx.meeting).map((th) => ({ value: th.id, label: th.label }));
}
