/**
 * Preparation: the draft timeline (moments and prepared interpretations), parties, the meeting's
 * title and initials, the agenda and the ground rules.
 * @module facilitator/prepare
 */

import { t } from "../shared/i18n.js";
import { PALETTE, interpretationsFor, orderedMoments, orderedParties, partyOf } from "../shared/state.js";
import { paintParty } from "../shared/dom.js";
import { AGENDA_PARTS } from "./agenda.js";
import { attachJargonHint } from "../shared/jargon_hint.js";
import * as intake from "./intake.js";
import { addInterpretationDialog, interpretationList } from "./interp.js";
import { attachJudgementHint, judgementalWords } from "./judgement.js";
import * as method from "./method.js";
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
  saveStatus,
} from "./ui.js";

export const INITIALS = /^[A-Z]\.?(?:(?:[a-z]{1,3}\.)?[A-Z]\.?){0,3}$/;

export function colourOptions() {
  return PALETTE.map((colour, i) => ({ value: colour, label: t(`colour.${i}`) }));
}

export function sourceOptions(/** @type {import("./console.js").Ctx} */ ctx) {
  return [
    { value: "", label: t("moments.source_none") },
    ...orderedParties(ctx.meeting).map((p) => ({ value: p.id, label: p.name })),
  ];
}

/** Mark a form dirty on input, so live updates do not overwrite what is being typed. */
function trackDirty(/** @type {HTMLElement} */ form) {
  form.addEventListener("input", () => {
    form.dataset.dirty = "1";
  });
}

export function setup(/** @type {import("./console.js").Ctx} */ ctx) {
  const text = byId("moment-text", HTMLTextAreaElement);
  const judgement = attachJudgementHint(text, byId("moment-text-hint"), t);
  const jargonHint = el("p", { class: "hint", attrs: { "aria-live": "polite" }, data: { testid: "moment-jargon" } });
  byId("moment-text-hint").after(jargonHint);
  const jargon = attachJargonHint(text, jargonHint, () => [ctx.meeting?.initials.replace(/\./g, "") || ""]);
  const refreshHint = () => {
    judgement();
    jargon();
  };
  intake.setup(ctx);
  method.setup(ctx);
  byId("moment-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = text.value.trim();
    if (!value) {
      text.focus();
      return;
    }
    if (!(await maySend(value))) return text.focus();
    const source = byId("moment-source", HTMLSelectElement).value;
    const ack = await ctx.send("moment.add", {
      text: value,
      when: byId("moment-when", HTMLInputElement).value.trim(),
      ...(source ? { source_party_id: source } : {}),
    });
    if (ack.ok) {
      text.value = "";
      byId("moment-when", HTMLInputElement).value = "";
      refreshHint();
      text.focus();
    }
  });

  byId("party-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = byId("party-name", HTMLInputElement);
    if (!name.value.trim()) return name.focus();
    const ack = await ctx.send("party.add", {
      name: name.value.trim(),
      colour: byId("party-colour", HTMLSelectElement).value,
    });
    if (ack.ok) {
      name.value = "";
      name.focus();
    }
  });

  const settings = byId("settings-form");
  trackDirty(settings);
  settings.addEventListener("submit", async (event) => {
    event.preventDefault();
    const initials = byId("settings-initials", HTMLInputElement).value.trim();
    if (!INITIALS.test(initials)) {
      byId("settings-initials", HTMLInputElement).setAttribute("aria-invalid", "true");
      byId("settings-initials", HTMLInputElement).focus();
      return;
    }
    byId("settings-initials", HTMLInputElement).removeAttribute("aria-invalid");
    const ack = await ctx.send("meeting.update", {
      title: byId("settings-title", HTMLInputElement).value.trim(),
      initials,
    });
    if (ack.ok) delete settings.dataset.dirty;
    saveStatus(settings, ack, "save.settings");
  });

  const agenda = byId("agenda-form");
  trackDirty(agenda);
  agenda.addEventListener("input", () => showAgendaSum());
  agenda.addEventListener("submit", async (event) => {
    event.preventDefault();
    /** @type {Record<string, number>} */
    const values = {};
    for (const part of AGENDA_PARTS) {
      const n = Math.round(Number(byId(`agenda-${part}`, HTMLInputElement).value));
      values[part] = Number.isFinite(n) ? Math.min(300, Math.max(0, n)) : 0;
    }
    const ack = await ctx.send("meeting.update", { agenda: values });
    if (ack.ok) delete agenda.dataset.dirty;
    saveStatus(agenda, ack, "save.agenda");
  });

  const rules = byId("rules-form");
  trackDirty(rules);
  byId("rules-add").addEventListener("click", () => {
    rules.dataset.dirty = "1";
    /** @type {HTMLTextAreaElement} */ (addRuleRow(byId("rules-rows"), "").querySelector("textarea")).focus();
  });
  rules.addEventListener("submit", async (event) => {
    event.preventDefault();
    const list = [...byId("rules-rows").querySelectorAll("textarea")].map((a) => a.value.trim()).filter(Boolean);
    const ack = await ctx.send("meeting.update", { ground_rules: list });
    if (ack.ok) delete rules.dataset.dirty;
    saveStatus(rules, ack, "save.rules");
  });
}

/** One editable ground rule with a remove button (used here and on the new-meeting form). */
export function addRuleRow(/** @type {HTMLElement} */ list, /** @type {string} */ value) {
  const n = list.children.length + 1;
  const id = `${list.id}-${Date.now().toString(36)}-${n}`;
  const area = el("textarea", { attrs: { id, rows: 2, maxlength: 300 } });
  area.value = value;
  // The box grows with its rule, so no rule is cut off.
  const grow = () => {
    area.style.height = "auto";
    area.style.height = `${area.scrollHeight + 2}px`;
  };
  area.addEventListener("input", grow);
  requestAnimationFrame(grow);
  const label = el("label", { class: "visually-hidden", text: t("rules.rule_label", { n }), attrs: { for: id } });
  const row = el("li", { class: "rule-row" }, label, area);
  row.append(
    button(
      "action.remove",
      () => {
        const form = list.closest("form");
        if (form) form.dataset.dirty = "1";
        const next = row.nextElementSibling || row.previousElementSibling;
        row.remove();
        (next?.querySelector("textarea") || list.closest("form")?.querySelector("button"))?.focus();
      },
      { label: t("rules.remove_label", { n }), class: "button button--small button--danger" },
    ),
  );
  list.append(row);
  return row;
}

export function render(/** @type {import("./console.js").Ctx} */ ctx) {
  const m = ctx.meeting;
  intake.render(ctx);
  method.renderPrepare(ctx);
  fillSelect(byId("moment-source", HTMLSelectElement), sourceOptions(ctx));
  renderParties(ctx);
  renderMoments(ctx);
  if (!byId("settings-form").dataset.dirty && !byId("settings-form").contains(document.activeElement)) {
    byId("settings-title", HTMLInputElement).value = m.title;
    byId("settings-initials", HTMLInputElement).value = m.initials;
  }
  renderAgenda(ctx);
  const rules = byId("rules-form");
  if (!rules.dataset.dirty && !rules.contains(document.activeElement)) {
    const list = byId("rules-rows");
    list.replaceChildren();
    for (const rule of m.ground_rules) addRuleRow(list, rule);
  }
}

function renderParties(/** @type {import("./console.js").Ctx} */ ctx) {
  const parties = orderedParties(ctx.meeting);
  const used = new Set(parties.map((p) => p.colour));
  const free = PALETTE.find((c) => !used.has(c)) || PALETTE[0];
  const colour = byId("party-colour", HTMLSelectElement);
  fillSelect(colour, colourOptions(), free);
  if (!byId("party-form", HTMLFormElement).contains(document.activeElement)) colour.value = free;
  renderList(byId("party-list"), parties, {
    key: (party) => party.id,
    inputs: (party) => party,
    build: (party) =>
      el(
        "li",
        { class: "party-item", data: { testid: "party" } },
        partyChip(party),
        el(
          "span",
          { class: "button-row button-row-small" },
          button("action.edit", () => editPartyDialog(ctx, party), {
            key: `party-edit-${party.id}`,
            label: t("parties.edit_label", { name: party.name }),
          }),
          button("action.remove", () => removeParty(ctx, party), {
            key: `party-remove-${party.id}`,
            label: t("parties.remove_label", { name: party.name }),
            class: "button button--small button--danger",
          }),
        ),
      ),
    emptyKey: "parties.none",
  });
}

async function editPartyDialog(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {import("../shared/state.js").Party} */ party,
) {
  const name = field("dlg-party-name", "parties.name_label", el("input", { attrs: { type: "text", maxlength: 60 } }));
  name.control.value = party.name;
  const colour = field("dlg-party-colour", "parties.colour_label", el("select", {}));
  fillSelect(colour.control, colourOptions(), party.colour);
  colour.control.value = party.colour;
  const result = await openDialog({
    title: t("parties.edit_title"),
    body: [name.wrap, colour.wrap],
    actions: [
      { value: "cancel", i18n: "action.cancel" },
      { value: "ok", i18n: "action.save", kind: "primary" },
    ],
    validate: () => !name.control.value.trim(),
    read: () => ({ name: name.control.value.trim(), colour: colour.control.value }),
  });
  if (result.value !== "ok" || !result.values) return;
  /** @type {Record<string, unknown>} */
  const payload = { id: party.id };
  if (result.values.name !== party.name) payload.name = result.values.name;
  if (result.values.colour !== party.colour) payload.colour = result.values.colour;
  if (Object.keys(payload).length > 1) await ctx.send("party.update", payload);
}

async function removeParty(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {import("../shared/state.js").Party} */ party,
) {
  const ok = await confirmDialog({
    title: t("parties.remove_title", { name: party.name }),
    lines: [t("parties.remove_text")],
    confirm: "action.remove",
    danger: true,
  });
  if (ok) await ctx.send("party.remove", { id: party.id });
}

function renderAgenda(/** @type {import("./console.js").Ctx} */ ctx) {
  const form = byId("agenda-form");
  const box = byId("agenda-fields");
  if (!box.children.length) {
    for (const part of AGENDA_PARTS) {
      const id = `agenda-${part}`;
      box.append(
        el(
          "div",
          { class: "field agenda-field" },
          el("label", { i18n: `phase.${part}`, attrs: { for: id } }),
          el(
            "span",
            { class: "with-unit" },
            el("input", {
              attrs: { id, type: "number", min: 0, max: 300, step: 5, inputmode: "numeric" },
              data: { testid: id },
            }),
            el("span", { class: "unit", i18n: "agenda.minutes" }),
          ),
        ),
      );
    }
  }
  if (!form.dataset.dirty && !form.contains(document.activeElement)) {
    for (const part of AGENDA_PARTS)
      byId(`agenda-${part}`, HTMLInputElement).value = String(ctx.meeting.agenda?.[part] ?? 0);
  }
  showAgendaSum();
}

function showAgendaSum() {
  let sum = 0;
  for (const part of AGENDA_PARTS) sum += Number(byId(`agenda-${part}`, HTMLInputElement).value) || 0;
  byId("agenda-sum").textContent = t("agenda.sum", { minutes: sum });
}

function renderMoments(/** @type {import("./console.js").Ctx} */ ctx) {
  const moments = orderedMoments(ctx.meeting);
  const drafts = moments.filter((m) => m.state === "draft").length;
  byId("moments-count").textContent = t("moments.count", { count: moments.length, drafts });
  const m = ctx.meeting;
  renderList(byId("prepare-moments"), moments, {
    key: (moment) => moment.id,
    // What the card shows: the moment, its place, its source party, its prepared interpretations.
    inputs: (moment, index) => [
      moment,
      index,
      moments.length,
      partyOf(m, moment.source_party_id),
      interpretationsFor(m, moment.id).map((interp) => [interp, partyOf(m, interp.party_id)]),
    ],
    build: (moment, index) => momentItem(ctx, moment, index, moments.length),
    emptyKey: "moments.none",
  });
}

function momentItem(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {import("../shared/state.js").Moment} */ moment,
  /** @type {number} */ index,
  /** @type {number} */ total,
) {
  const n = index + 1;
  const source = partyOf(ctx.meeting, moment.source_party_id);
  const words = judgementalWords(moment.text);
  const label = (/** @type {string} */ key) => t(key, { n });
  const item = el(
    "li",
    { class: `moment-card moment-${moment.state}`, data: { testid: "prepare-moment", momentId: moment.id } },
    el(
      "div",
      { class: "moment-head" },
      el("span", { class: "moment-number", text: String(n) }),
      moment.when ? el("span", { class: "moment-when", text: moment.when }) : null,
      el("span", { class: `badge badge-${moment.state}`, text: t(`moments.state_${moment.state}`) }),
      moment.pii ? piiMark() : null,
      words.length ? el("span", { class: "badge badge-hint", text: t("moments.judgement_badge") }) : null,
    ),
    el("p", { class: "moment-text", text: moment.text }),
    source
      ? el("p", { class: "moment-source" }, el("span", { text: t("moments.source_prefix") }), " ", partyChip(source))
      : null,
    words.length ? el("p", { class: "hint", text: t("moments.judgement_hint", { words: words.join(", ") }) }) : null,
    el(
      "div",
      { class: "button-row button-row-small" },
      button("moments.up", () => ctx.send("moment.move", { id: moment.id, position: index - 1 }), {
        key: `moment-up-${moment.id}`,
        label: label("moments.up_label"),
        disabled: index === 0,
      }),
      button("moments.down", () => ctx.send("moment.move", { id: moment.id, position: index + 1 }), {
        key: `moment-down-${moment.id}`,
        label: label("moments.down_label"),
        disabled: index === total - 1,
      }),
      button("action.edit", () => editMomentDialog(ctx, moment), {
        key: `moment-edit-${moment.id}`,
        label: label("moments.edit_label"),
      }),
      button("action.remove", () => removeMoment(ctx, moment, n), {
        key: `moment-remove-${moment.id}`,
        label: label("moments.remove_label"),
        class: "button button--small button--danger",
      }),
    ),
  );
  if (source) paintParty(item, source);
  item.append(
    el(
      "section",
      { class: "prepared", attrs: { "aria-label": t("moments.prepared_label", { n }) } },
      el("h3", { class: "subheading", text: t("moments.prepared_heading") }),
      interpretationList(ctx, moment),
      button("interp.add", () => addInterpretationDialog(ctx, moment), {
        key: `moment-interp-${moment.id}`,
        label: label("interp.add_label"),
        testid: "prepare-interp-add",
      }),
    ),
  );
  return item;
}

/** Edit a moment's text, "when" and source party. */
export async function editMomentDialog(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {import("../shared/state.js").Moment} */ moment,
) {
  const text = field("dlg-moment-text", "moments.text_label", el("textarea", { attrs: { rows: 3, maxlength: 500 } }));
  text.control.value = moment.text;
  const hint = el("p", { class: "hint", attrs: { "aria-live": "polite" } });
  text.wrap.append(hint);
  attachJudgementHint(text.control, hint, t)();
  // The jargon hint too: the rephrased moment is what every party reads on the wall.
  const jargon = el("p", { class: "hint", attrs: { "aria-live": "polite" } });
  text.wrap.append(jargon);
  attachJargonHint(text.control, jargon, () => [ctx.meeting.initials.replace(/\./g, "")])();
  const when = field("dlg-moment-when", "moments.when_label", el("input", { attrs: { type: "text", maxlength: 40 } }));
  when.control.value = moment.when;
  const source = field("dlg-moment-source", "moments.source_label", el("select", {}));
  fillSelect(source.control, sourceOptions(ctx), moment.source_party_id || "");
  source.control.value = moment.source_party_id || "";
  for (;;) {
    const result = await openDialog({
      title: t("moments.edit_title"),
      body: [text.wrap, when.wrap, source.wrap],
      actions: [
        { value: "cancel", i18n: "action.cancel" },
        { value: "ok", i18n: "action.save", kind: "primary", testid: "dialog-moment-save" },
      ],
      validate: () => !text.control.value.trim(),
      read: () => ({
        text: text.control.value.trim(),
        when: when.control.value.trim(),
        source: source.control.value,
      }),
    });
    const v = result.values;
    if (result.value !== "ok" || !v) return;
    if (v.text !== moment.text && !(await maySend(v.text))) continue;
    /** @type {Record<string, unknown>} */
    const payload = { id: moment.id, text: v.text, when: v.when };
    if (v.source) payload.source_party_id = v.source;
    else payload.clear_source_party = true;
    await ctx.send("moment.update", payload);
    return;
  }
}

async function removeMoment(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {import("../shared/state.js").Moment} */ moment,
  /** @type {number} */ n,
) {
  const count = Object.values(ctx.meeting.interpretations).filter((i) => i.moment_id === moment.id).length;
  const ok = await confirmDialog({
    title: t("moments.remove_title", { n }),
    lines: [el("p", { class: "quote", text: moment.text }), t("moments.remove_text", { count })],
    confirm: "action.remove",
    danger: true,
  });
  if (ok) await ctx.send("moment.remove", { id: moment.id });
}
