/**
 * Interpretations (duidingen): how they look in the console, and the dialogs that change them.
 * @module facilitator/interp
 */

import { t } from "../shared/i18n.js";
import { interpretationsFor, orderedMoments, orderedParties, partyOf, themesOn } from "../shared/state.js";
import { absentMarker } from "../shared/absent.js";
import { paintParty } from "../shared/dom.js";
import { flagThemeDialog } from "./themes.js";
import {
  button,
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

/** A short, single-line version of a text for option labels and accessible names. */
export function snippet(/** @type {string} */ text, length = 60) {
  const flat = String(text || "")
    .replace(/\s+/g, " ")
    .trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}

export function momentLabel(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {import("../shared/state.js").Moment} */ moment,
) {
  const index = orderedMoments(ctx.meeting).findIndex((m) => m.id === moment.id) + 1;
  return t("moments.label", { n: index, text: snippet(moment.text, 50) });
}

/** The list of a moment's interpretations, each with its party and the facilitator's actions. */
export function interpretationList(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {import("../shared/state.js").Moment} */ moment,
  { themes = false } = {},
) {
  const items = interpretationsFor(ctx.meeting, moment.id).map((interp) => interpretationItem(ctx, interp, { themes }));
  if (!items.length) return el("p", { class: "empty", i18n: "interp.none" });
  return el("ul", { class: "interp-list", data: { testid: `interpretations-${moment.id}` } }, ...items);
}

/**
 * The same list kept in step in ``list`` (a ul.interp-list), keyed by interpretation: one that
 * arrives from a phone is added without rebuilding the others or the focus in them.
 */
export function renderInterpretations(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {HTMLElement} */ list,
  /** @type {import("../shared/state.js").Moment} */ moment,
  { themes = false } = {},
) {
  const m = ctx.meeting;
  renderList(list, interpretationsFor(m, moment.id), {
    key: (interp) => interp.id,
    // What the item shows: the text, its party (name, colour, absent) and its themes.
    inputs: (interp) => [
      interp,
      partyOf(m, interp.party_id),
      themes ? themesOn(m, "interpretation", interp.id).map((th) => th.label) : null,
    ],
    build: (interp) => interpretationItem(ctx, interp, { themes }),
    emptyKey: "interp.none",
  });
}

function interpretationItem(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {import("../shared/state.js").Interpretation} */ interp,
  /** @type {{themes: boolean}} */ { themes },
) {
  const party = partyOf(ctx.meeting, interp.party_id);
  const name = party ? party.name : t("party.none");
  const short = snippet(interp.text, 40);
  const item = el(
    "li",
    { class: "interp", data: { interpretationId: interp.id, testid: "interpretation" } },
    el(
      "div",
      { class: "interp-head" },
      partyChip(party),
      absentMarker(ctx.meeting, interp),
      interp.pii ? piiMark() : null,
    ),
    el("p", { class: "interp-text", text: interp.text }),
  );
  paintParty(item, party);
  if (themes) {
    const labels = themesOn(ctx.meeting, "interpretation", interp.id).map((th) =>
      el("li", { class: "theme-tag", text: th.label }),
    );
    if (labels.length)
      item.append(el("ul", { class: "theme-tags", attrs: { "aria-label": t("themes.on_item") } }, ...labels));
  }
  const label = (/** @type {string} */ key) => t(key, { party: name, text: short });
  item.append(
    el(
      "div",
      { class: "button-row button-row-small" },
      button("action.edit", () => editInterpretationDialog(ctx, interp), {
        key: `interp-edit-${interp.id}`,
        label: label("interp.edit_label"),
      }),
      button("interp.move", () => moveInterpretationDialog(ctx, interp), {
        key: `interp-move-${interp.id}`,
        label: label("interp.move_label"),
      }),
      themes
        ? button("themes.flag", () => flagThemeDialog(ctx, "interpretation", interp.id), {
            key: `interp-theme-${interp.id}`,
            label: label("themes.flag_interp_label"),
          })
        : null,
      button("action.remove", () => removeInterpretation(ctx, interp), {
        key: `interp-remove-${interp.id}`,
        label: label("interp.remove_label"),
        class: "button button--small button--danger",
      }),
    ),
  );
  return item;
}

function partyOptions(/** @type {import("./console.js").Ctx} */ ctx) {
  return orderedParties(ctx.meeting).map((p) => ({ value: p.id, label: p.name }));
}

/** Add an interpretation on behalf of a party (prepared on a draft, or live on a revealed one). */
export async function addInterpretationDialog(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {import("../shared/state.js").Moment} */ moment,
) {
  if (!orderedParties(ctx.meeting).length) {
    await confirmDialog({ title: t("interp.add_title"), lines: [t("interp.no_parties")], confirm: "action.ok" });
    return;
  }
  const party = field("dlg-interp-party", "behalf.party_label", el("select", {}));
  fillSelect(party.control, partyOptions(ctx));
  const text = field("dlg-interp-text", "behalf.text_label", el("textarea", { attrs: { rows: 4, maxlength: 2000 } }));
  let values = { party_id: "", text: "" };
  for (;;) {
    const result = await openDialog({
      title: t("interp.add_title_for", { moment: momentLabel(ctx, moment) }),
      body: [party.wrap, text.wrap],
      actions: [
        { value: "cancel", i18n: "action.cancel" },
        { value: "ok", i18n: "interp.add", kind: "primary", testid: "dialog-interp-submit" },
      ],
      validate: () => !text.control.value.trim(),
      read: () => ({ party_id: party.control.value, text: text.control.value.trim() }),
    });
    if (result.value !== "ok" || !result.values) return;
    values = result.values;
    if (await maySend(values.text)) break;
  }
  await ctx.send("interpretation.add", { moment_id: moment.id, party_id: values.party_id, text: values.text });
}

async function editInterpretationDialog(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {import("../shared/state.js").Interpretation} */ interp,
) {
  const text = field("dlg-interp-edit", "behalf.text_label", el("textarea", { attrs: { rows: 4, maxlength: 2000 } }));
  text.control.value = interp.text;
  for (;;) {
    const result = await openDialog({
      title: t("interp.edit_title"),
      body: [partyChip(partyOf(ctx.meeting, interp.party_id)), text.wrap],
      actions: [
        { value: "cancel", i18n: "action.cancel" },
        { value: "ok", i18n: "action.save", kind: "primary" },
      ],
      validate: () => !text.control.value.trim(),
      read: () => text.control.value.trim(),
    });
    if (result.value !== "ok") return;
    if (result.values === interp.text) return;
    if (await maySend(result.values)) {
      await ctx.send("interpretation.update", { id: interp.id, text: result.values });
      return;
    }
  }
}

async function moveInterpretationDialog(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {import("../shared/state.js").Interpretation} */ interp,
) {
  const target = field("dlg-interp-move", "interp.move_to", el("select", {}));
  fillSelect(
    target.control,
    orderedMoments(ctx.meeting).map((m) => ({
      value: m.id,
      label: `${momentLabel(ctx, m)}${m.state === "draft" ? ` (${t("moments.state_draft")})` : ""}`,
    })),
    interp.moment_id,
  );
  target.control.value = interp.moment_id;
  const result = await openDialog({
    title: t("interp.move_title"),
    body: [el("p", { class: "quote", text: snippet(interp.text, 120) }), target.wrap],
    actions: [
      { value: "cancel", i18n: "action.cancel" },
      { value: "ok", i18n: "interp.move", kind: "primary" },
    ],
    read: () => target.control.value,
  });
  if (result.value === "ok" && result.values && result.values !== interp.moment_id) {
    await ctx.send("interpretation.move", { id: interp.id, moment_id: result.values });
  }
}

async function removeInterpretation(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {import("../shared/state.js").Interpretation} */ interp,
) {
  const ok = await confirmDialog({
    title: t("interp.remove_title"),
    lines: [el("p", { class: "quote", text: snippet(interp.text, 160) })],
    confirm: "action.remove",
    danger: true,
  });
  if (ok) await ctx.send("interpretation.remove", { id: interp.id });
}
