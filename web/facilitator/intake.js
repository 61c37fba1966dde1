/**
 * The intake (uitvraag) in preparation: a private link per party, what the parties sent in side
 * by side in date order, and taking moments from it into the draft timeline (merging those that
 * describe the same event) with each party's experience as its prepared interpretation.
 *
 * The link's token is made here, in the browser: only its SHA-256 goes to the server, and the
 * link itself is kept in this tab's sessionStorage so it can be copied again.
 * @module facilitator/intake
 */

import { $, setText } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { jargonHint } from "../shared/jargon_hint.js";
import { orderedMoments, orderedParties, partyOf } from "../shared/state.js";
import { byWhen } from "../shared/when.js";
import { momentLabel } from "./interp.js";
import { attachJudgementHint } from "./judgement.js";
import {
  button,
  byId,
  copyText,
  el,
  field,
  fillSelect,
  maySend,
  openDialog,
  partyChip,
  piiMark,
  renderList,
  renderPart,
  toast,
} from "./ui.js";

/** @typedef {import("./console.js").Ctx} Ctx */
/** @typedef {import("../shared/state.js").Party} Party */
/** @typedef {import("../shared/state.js").IntakeEntry} IntakeEntry */

const LINKS_KEY = "tijdlijn.intake.links";
const selected = new Set();

function storedLinks() {
  try {
    return JSON.parse(sessionStorage.getItem(LINKS_KEY) || "{}");
  } catch {
    return {};
  }
}

function keepLink(/** @type {string} */ intakeId, /** @type {string} */ link) {
  try {
    sessionStorage.setItem(LINKS_KEY, JSON.stringify({ ...storedLinks(), [intakeId]: link }));
  } catch {
    // no storage: the link shows until the next reload
  }
}

function base64url(/** @type {Uint8Array} */ bytes) {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

async function newLink(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {import("../shared/state.js").Party} */ party,
) {
  if (!crypto.subtle) {
    toast(t("intake.needs_https"), "error");
    return;
  }
  const token = `${ctx.meeting.id}.${base64url(crypto.getRandomValues(new Uint8Array(16)))}`;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)));
  const hash = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
  const ack = await ctx.send("intake.open", { party_id: party.id, token_hash: hash });
  if (ack.ok && ack.id) {
    keepLink(ack.id, `${location.origin}/intake#${token}`);
    shown.add(ack.id); // just asked for: shown until the tab is left
    ctx.render();
  }
}

/** Intake links shown in clear; every other one is masked until asked for (safe to project). */
const shown = new Set();
const MASK = "•".repeat(24);

/** Mask every intake link again (leaving the tab, starting presentation mode). */
export function hideSecrets() {
  shown.clear();
  const links = /** @type {NodeListOf<HTMLInputElement>} */ (
    document.querySelectorAll('input[data-testid="intake-link"]')
  );
  for (const input of links) input.value = MASK;
  for (const toggle of document.querySelectorAll('[data-testid="intake-link-show"]')) {
    toggle.setAttribute("aria-pressed", "false");
    toggle.textContent = t("share.show");
  }
}

export function render(/** @type {import("./console.js").Ctx} */ ctx) {
  renderLinks(ctx);
  renderEntries(ctx);
}

function sent(/** @type {import("../shared/state.js").Meeting} */ meeting, /** @type {string} */ partyId) {
  return Object.values(meeting.intake_entries || {}).filter((e) => e.party_id === partyId).length;
}

function intakeOf(/** @type {import("../shared/state.js").Meeting} */ meeting, /** @type {string} */ partyId) {
  return Object.values(meeting.intakes || {}).find((i) => i.party_id === partyId) || null;
}

/**
 * One row per party, keyed: a row is built once and updated in place (status, count, link,
 * buttons, absent), so an entry arriving from a party's intake link leaves the focus alone.
 */
function renderLinks(/** @type {Ctx} */ ctx) {
  const m = ctx.meeting;
  const links = storedLinks();
  renderList(byId("intake-parties"), orderedParties(m), {
    key: (party) => party.id,
    inputs: (party) => [party.name, party.colour],
    build: (party) => partyRow(ctx, party),
    update: (row, party) => updatePartyRow(ctx, row, party, links),
  });
}

function partyRow(/** @type {Ctx} */ ctx, /** @type {Party} */ party) {
  const absentId = `absent-${party.id}`;
  const absent = el("input", {
    attrs: { type: "checkbox", id: absentId },
    data: { key: absentId, testid: "party-absent" },
  });
  absent.addEventListener("change", () => ctx.send("party.update", { id: party.id, absent: absent.checked }));
  return el(
    "li",
    { class: "intake-party", data: { testid: "intake-party", partyId: party.id } },
    el("div", { class: "intake-party-head" }, partyChip(party), el("span", { class: "badge intake-status" })),
    el("p", { class: "help intake-count" }),
    el("div", { class: "intake-link" }),
    el("div", { class: "button-row button-row-small" }),
    el(
      "p",
      { class: "check" },
      absent,
      el("label", { attrs: { for: absentId }, text: t("intake.absent", { party: party.name }) }),
    ),
  );
}

function updatePartyRow(
  /** @type {Ctx} */ ctx,
  /** @type {HTMLElement} */ row,
  /** @type {Party} */ party,
  /** @type {Record<string, string>} */ links,
) {
  const m = ctx.meeting;
  const intake = intakeOf(m, party.id);
  const preparing = m.phase === "preparation";
  const link = intake && intake.status === "open" ? (links[intake.id] ?? null) : null;
  const intakeId = intake?.id ?? "";
  setText($(".intake-status", row), intake ? t(`intake.status_${intake.status}`) : t("intake.status_none"));
  const count = $(".intake-count", row);
  count.hidden = !intake;
  setText(count, intake ? t("intake.entries_count", { count: sent(m, party.id) }) : "");
  const linkBox = $(".intake-link", row);
  linkBox.hidden = !link;
  renderPart(linkBox, [link, intakeId], () =>
    link
      ? [
          el("input", {
            attrs: {
              type: "text",
              readonly: true,
              value: MASK,
              "aria-label": t("intake.link_label", { party: party.name }),
            },
            data: { testid: "intake-link", secret: "intake", key: `intake-input-${party.id}` },
          }),
          el("button", {
            class: "button",
            attrs: { type: "button" },
            data: { testid: "intake-link-show", key: `intake-show-${party.id}` },
            on: {
              click: () => {
                if (shown.has(intakeId)) shown.delete(intakeId);
                else shown.add(intakeId);
                ctx.render();
              },
            },
          }),
          button("intake.copy", () => copyText(link), { key: `intake-copy-${party.id}` }),
        ]
      : [],
  );
  if (link) {
    const on = shown.has(intakeId);
    const input = $("input", linkBox, HTMLInputElement);
    const value = on ? link : MASK;
    if (input.value !== value) input.value = value;
    const toggle = $('[data-testid="intake-link-show"]', linkBox);
    toggle.setAttribute("aria-pressed", String(on));
    setText(toggle, t(on ? "share.hide" : "share.show"));
  }
  renderPart($(".button-row", row), [preparing, intake?.status ?? null, party.name], () => [
    preparing
      ? button(intake ? "intake.new_link" : "intake.make_link", () => newLink(ctx, party), {
          key: `intake-link-${party.id}`,
          label: t(intake ? "intake.new_link_label" : "intake.make_link_label", { party: party.name }),
          testid: "intake-make-link",
        })
      : null,
    intake && intake.status === "open"
      ? button("intake.close", () => ctx.send("intake.close", { party_id: party.id }), {
          key: `intake-close-${party.id}`,
          label: t("intake.close_label", { party: party.name }),
          testid: "intake-close",
        })
      : null,
  ]);
  const absent = $("input[type=checkbox]", row, HTMLInputElement);
  if (absent.checked !== Boolean(party.absent)) absent.checked = Boolean(party.absent);
}

/**
 * What the parties sent in, side by side: a column per party that sent something, a row per
 * entry in date order, keyed by entry, so a new entry or a ticked box leaves the rest alone.
 */
function renderEntries(/** @type {Ctx} */ ctx) {
  const m = ctx.meeting;
  const entries = byWhen(Object.values(m.intake_entries || {}));
  for (const id of [...selected]) if (!m.intake_entries?.[id] || m.intake_entries[id].moment_id) selected.delete(id);
  const box = byId("intake-entries");
  byId("intake-take", HTMLButtonElement).disabled = selected.size === 0;
  setText(byId("intake-take"), t("intake.take", { count: selected.size }));
  if (!entries.length) {
    renderPart(box, "none", () => [el("p", { class: "empty", i18n: "intake.entries_none" })]);
    return;
  }
  const parties = orderedParties(m).filter((p) => entries.some((e) => e.party_id === p.id));
  renderPart(box, "table", () => [
    el("table", { class: "intake-table", data: { testid: "intake-table" } }, el("thead", {}), el("tbody", {})),
  ]);
  renderPart($("thead", box), parties, () => [
    el(
      "tr",
      {},
      el("th", { attrs: { scope: "col" }, text: t("intake.when_column") }),
      ...parties.map((p) => el("th", { attrs: { scope: "col" } }, partyChip(p))),
    ),
  ]);
  const initials = m.initials.replace(/\./g, "");
  renderList($("tbody", box), entries, {
    key: (entry) => entry.id,
    // What the row shows: the entry, the columns, the moment it went into, the jargon hint.
    inputs: (entry) => [
      entry,
      parties.map((p) => p.id),
      entry.moment_id && m.moments[entry.moment_id] ? momentLabel(ctx, m.moments[entry.moment_id]) : null,
      initials,
    ],
    build: (entry) =>
      el(
        "tr",
        {},
        el("th", { attrs: { scope: "row" }, text: entry.when || "–" }),
        ...parties.map((p) => el("td", {}, p.id === entry.party_id ? entryCell(ctx, entry) : null)),
      ),
    update: (row, entry) => {
      const tick = $("input[type=checkbox]", row, HTMLInputElement);
      if (tick.checked !== selected.has(entry.id)) tick.checked = selected.has(entry.id);
    },
  });
}

function entryCell(/** @type {Ctx} */ ctx, /** @type {IntakeEntry} */ entry) {
  const id = `intake-select-${entry.id}`;
  const taken = entry.moment_id ? ctx.meeting.moments[entry.moment_id] : null;
  const hint = jargonHint(`${entry.text}\n${entry.experience}`, [ctx.meeting.initials.replace(/\./g, "")]);
  const box = el("input", {
    attrs: { type: "checkbox", id, checked: selected.has(entry.id), disabled: Boolean(entry.moment_id) },
    data: { key: id, testid: "intake-select" },
  });
  box.addEventListener("change", () => {
    if (box.checked) selected.add(entry.id);
    else selected.delete(entry.id);
    renderEntries(ctx);
  });
  return el(
    "div",
    { class: "intake-entry", data: { testid: "intake-entry", entryId: entry.id } },
    el(
      "p",
      { class: "check" },
      box,
      el("label", { attrs: { for: id }, text: entry.text }),
      entry.pii ? piiMark() : null,
    ),
    entry.experience ? el("p", { class: "quote", text: entry.experience }) : null,
    hint ? el("p", { class: "hint", text: hint }) : null,
    taken ? el("p", { class: "badge", text: t("intake.taken_into", { moment: momentLabel(ctx, taken) }) }) : null,
  );
}

export function setup(/** @type {import("./console.js").Ctx} */ ctx) {
  byId("intake-take").addEventListener("click", () => takeDialog(ctx));
}

async function takeDialog(/** @type {import("./console.js").Ctx} */ ctx) {
  const m = ctx.meeting;
  const entries = [...selected].map((id) => m.intake_entries?.[id]).filter((e) => e !== undefined);
  if (!entries.length) return;
  const parties = entries.map((e) => partyOf(m, e.party_id)?.name || t("party.none"));
  const sources = el(
    "ul",
    { class: "plain-list" },
    ...entries.map((e, i) => el("li", { text: `${parties[i]}: ${e.text}` })),
  );
  const text = field(
    "dlg-take-text",
    "intake.take_text_label",
    el("textarea", { attrs: { rows: 3, maxlength: 500 } }),
    "intake.take_text_help",
  );
  text.control.value = entries[0].text;
  const judgement = el("p", { class: "hint", attrs: { "aria-live": "polite" } });
  const jargon = el("p", { class: "hint", attrs: { "aria-live": "polite" }, data: { testid: "take-jargon" } });
  text.wrap.append(judgement, jargon);
  attachJudgementHint(text.control, judgement, t)();
  const ignore = [m.initials.replace(/\./g, "")];
  const showJargon = () => {
    jargon.textContent = jargonHint(text.control.value, ignore);
  };
  text.control.addEventListener("input", showJargon);
  showJargon();
  const when = field("dlg-take-when", "moments.when_label", el("input", { attrs: { type: "text", maxlength: 40 } }));
  when.control.value = entries.find((e) => e.when)?.when || "";
  const into = field("dlg-take-into", "intake.take_into_label", el("select", {}));
  fillSelect(into.control, [
    { value: "", label: t("intake.take_new_moment") },
    ...orderedMoments(m).map((mo) => ({ value: mo.id, label: momentLabel(ctx, mo) })),
  ]);
  into.control.value = "";
  for (;;) {
    const result = await openDialog({
      title: t("intake.take_title", { count: entries.length }),
      body: [el("p", { class: "help", text: t("intake.take_sources") }), sources, text.wrap, when.wrap, into.wrap],
      actions: [
        { value: "cancel", i18n: "action.cancel" },
        { value: "ok", i18n: "intake.take_confirm", kind: "primary", testid: "dialog-take-save" },
      ],
      validate: () => !into.control.value && !text.control.value.trim(),
      read: () => ({ text: text.control.value.trim(), when: when.control.value.trim(), into: into.control.value }),
    });
    const v = result.values;
    if (result.value !== "ok" || !v) return;
    /** @type {Record<string, unknown>} */
    const payload = { entry_ids: entries.map((e) => e.id) };
    if (v.into) payload.moment_id = v.into;
    else {
      if (!(await maySend(v.text))) continue;
      payload.text = v.text;
      payload.when = v.when;
    }
    const ack = await ctx.send("intake.take", payload);
    if (ack.ok) {
      selected.clear();
      toast(t("intake.taken_toast"));
      ctx.render();
    }
    return;
  }
}
