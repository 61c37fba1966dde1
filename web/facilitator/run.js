/**
 * Running the timeline: reveal one moment at a time, insert a moment, follow the interpretations
 * as they come in, and add one on behalf of a party.
 * @module facilitator/run
 */

import { $, announce, paintParty, setText } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { attachJargonHint } from "../shared/jargon_hint.js";
import { orderedMoments, orderedParties, partyOf, themesOn } from "../shared/state.js";
import { addInterpretationDialog, momentLabel, renderInterpretations, snippet } from "./interp.js";
import { attachJudgementHint } from "./judgement.js";
import * as method from "./method.js";
import { editMomentDialog, sourceOptions } from "./prepare.js";
import { flagThemeDialog } from "./themes.js";
import { button, byId, el, fillSelect, maySend, partyChip, piiMark, renderList, renderPart } from "./ui.js";

export function setup(/** @type {import("./console.js").Ctx} */ ctx) {
  byId("reveal-next").addEventListener("click", async () => {
    const ack = await ctx.send("moment.reveal", {});
    if (ack.ok) announceReveal(ctx, ack.id);
  });
  byId("unreveal").addEventListener("click", async () => {
    const ack = await ctx.send("moment.unreveal", {});
    if (ack.ok) {
      announce(t("run.unrevealed"));
      byId("run-feedback").textContent = t("run.unrevealed");
      byId("run-feedback").dataset.kind = "info";
    }
  });
  byId("reveal-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const id = byId("reveal-choice", HTMLSelectElement).value;
    if (!id) return;
    const ack = await ctx.send("moment.reveal", { id });
    if (ack.ok) announceReveal(ctx, id);
  });

  // Back to a moment shown earlier, from beside the controls (the list may be far down).
  byId("focus-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const id = byId("focus-choice", HTMLSelectElement).value;
    if (!id) return;
    const ack = await ctx.send("moment.focus", { id });
    if (ack.ok) {
      const message = t("run.focused", { moment: momentLabel(ctx, ctx.meeting.moments[id]) });
      announce(message);
      byId("run-feedback").textContent = message;
      byId("run-feedback").dataset.kind = "info";
    }
  });

  const text = byId("insert-text", HTMLTextAreaElement);
  const judgement = attachJudgementHint(text, byId("insert-text-hint"), t);
  const jargonHint = el("p", { class: "hint", attrs: { "aria-live": "polite" } });
  byId("insert-text-hint").after(jargonHint);
  const jargon = attachJargonHint(text, jargonHint, () => [ctx.meeting?.initials.replace(/\./g, "") || ""]);
  const refreshHint = () => {
    judgement();
    jargon();
  };
  byId("insert-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = text.value.trim();
    if (!value) return text.focus();
    if (!(await maySend(value))) return text.focus();
    const source = byId("insert-source", HTMLSelectElement).value;
    const reveal = byId("insert-reveal", HTMLInputElement).checked;
    const ack = await ctx.send("moment.add", {
      text: value,
      when: byId("insert-when", HTMLInputElement).value.trim(),
      position: Number(byId("insert-position", HTMLSelectElement).value),
      reveal,
      ...(source ? { source_party_id: source } : {}),
    });
    if (ack.ok) {
      text.value = "";
      byId("insert-when", HTMLInputElement).value = "";
      refreshHint();
      if (reveal) announceReveal(ctx, ack.id);
      else announce(t("run.inserted"));
    }
  });

  byId("behalf-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const area = byId("behalf-text", HTMLTextAreaElement);
    const value = area.value.trim();
    const momentId = byId("behalf-moment", HTMLSelectElement).value;
    const partyId = byId("behalf-party", HTMLSelectElement).value;
    if (!value) return area.focus();
    if (!momentId || !partyId) return;
    if (!(await maySend(value))) return area.focus();
    const ack = await ctx.send("interpretation.add", { moment_id: momentId, party_id: partyId, text: value });
    if (ack.ok) {
      area.value = "";
      area.focus();
      announce(t("behalf.added"));
    }
  });
}

function announceReveal(/** @type {import("./console.js").Ctx} */ ctx, /** @type {string | undefined} */ id) {
  const moment = id && ctx.meeting.moments[id];
  const message = moment ? t("run.revealed", { moment: momentLabel(ctx, moment) }) : t("run.revealed_plain");
  announce(message);
  byId("run-feedback").textContent = message;
  byId("run-feedback").dataset.kind = "info";
}

/** The moment under discussion, always beside the controls (the list may be long). */
function renderNow(/** @type {import("./console.js").Ctx} */ ctx, /** @type {Moment[]} */ moments) {
  const m = ctx.meeting;
  const current = m.current_moment_id && m.moments[m.current_moment_id];
  const box = byId("run-now");
  if (!current) {
    box.replaceChildren(el("p", { class: "help", i18n: moments.length ? "run.now_none" : "run.empty_prepare" }));
    return;
  }
  const n = moments.findIndex((x) => x.id === current.id) + 1;
  const count = Object.values(m.interpretations).filter((i) => i.moment_id === current.id).length;
  box.replaceChildren(
    el(
      "p",
      { class: "run-now-label" },
      el("span", { class: "badge badge-current", text: t("run.current") }),
      " ",
      el("span", { class: "moment-number", text: String(n) }),
      " ",
      current.when ? el("span", { class: "moment-when", text: current.when }) : null,
    ),
    el("p", { class: "run-now-text", text: current.text }),
    el("p", { class: "count", text: t("run.interps_heading", { count }) }),
  );
}

export function render(/** @type {import("./console.js").Ctx} */ ctx) {
  const m = ctx.meeting;
  method.renderRun(ctx);
  const moments = orderedMoments(m);
  const drafts = moments.filter((x) => x.state === "draft");
  const shown = moments.filter((x) => x.state === "revealed");
  byId("run-progress").textContent = t("run.progress", { shown: shown.length, total: moments.length });
  renderNow(ctx, moments);
  const revealNext = byId("reveal-next", HTMLButtonElement);
  const unreveal = byId("unreveal", HTMLButtonElement);
  const hadFocus = document.activeElement;
  revealNext.disabled = drafts.length === 0;
  unreveal.disabled = shown.length === 0;
  // A button that becomes disabled drops keyboard focus to <body>; hand it to its neighbour.
  if (hadFocus === unreveal && unreveal.disabled) (revealNext.disabled ? byId("panel-run") : revealNext).focus();
  if (hadFocus === revealNext && revealNext.disabled) (unreveal.disabled ? byId("panel-run") : unreveal).focus();
  const next = drafts[0];
  // With nothing prepared, say what to do next rather than "all shown".
  byId("run-next").textContent = next
    ? t("run.next_is", { moment: momentLabel(ctx, next) })
    : moments.length
      ? t("run.reveal_none")
      : t("run.empty_prepare");

  fillSelect(
    byId("reveal-choice", HTMLSelectElement),
    drafts.map((x) => ({ value: x.id, label: momentLabel(ctx, x) })),
  );
  const others = shown.filter((x) => x.id !== m.current_moment_id);
  fillSelect(
    byId("focus-choice", HTMLSelectElement),
    others.map((x) => ({ value: x.id, label: momentLabel(ctx, x) })),
  );
  byId("focus-form").hidden = others.length === 0;
  byId("reveal-form").hidden = drafts.length === 0;

  const current = m.current_moment_id;
  const currentIndex = moments.findIndex((x) => x.id === current);
  const positions = [{ value: "0", label: t("run.position_start") }];
  moments.forEach((x, i) =>
    positions.push({ value: String(i + 1), label: t("run.position_after", { moment: momentLabel(ctx, x) }) }),
  );
  const positionSelect = byId("insert-position", HTMLSelectElement);
  const wasChosen = positionSelect.dataset.chosen === "1";
  fillSelect(positionSelect, positions);
  if (!wasChosen) positionSelect.value = String(currentIndex >= 0 ? currentIndex + 1 : moments.length);
  if (!positionSelect.dataset.wired) {
    positionSelect.dataset.wired = "1";
    positionSelect.addEventListener("change", () => {
      positionSelect.dataset.chosen = "1";
    });
  }
  fillSelect(byId("insert-source", HTMLSelectElement), sourceOptions(ctx));

  const behalfMoment = byId("behalf-moment", HTMLSelectElement);
  const behalfOptions = (shown.length ? shown : moments).map((x) => ({ value: x.id, label: momentLabel(ctx, x) }));
  const followCurrent = !behalfMoment.dataset.chosen || behalfMoment.value === behalfMoment.dataset.lastCurrent;
  fillSelect(behalfMoment, behalfOptions);
  if (followCurrent && current && behalfOptions.some((o) => o.value === current)) behalfMoment.value = current;
  behalfMoment.dataset.lastCurrent = current || "";
  if (!behalfMoment.dataset.wired) {
    behalfMoment.dataset.wired = "1";
    behalfMoment.addEventListener("change", () => {
      behalfMoment.dataset.chosen = "1";
    });
  }
  fillSelect(
    byId("behalf-party", HTMLSelectElement),
    orderedParties(m).map((p) => ({ value: p.id, label: p.name })),
  );
  $('button[type="submit"]', byId("behalf-form"), HTMLButtonElement).disabled =
    !moments.length || !orderedParties(m).length;

  /** @type {RunRow[]} */
  const rows = shown.map((moment) => ({ moment, n: moments.indexOf(moment) + 1 }));
  if (drafts.length) rows.push({ drafts });
  renderList(byId("run-moments"), rows, {
    key: (row) => ("drafts" in row ? "drafts" : row.moment.id),
    inputs: (row) => ("drafts" in row ? "drafts" : "moment"),
    build: (row) => ("drafts" in row ? draftsItem() : runItem(row.moment)),
    update: (node, row) => ("drafts" in row ? updateDrafts(ctx, node, row.drafts) : updateRunItem(ctx, node, row)),
    emptyKey: "run.none",
  });
}

/**
 * A row of the live timeline: a revealed moment (its number in the timeline), or the drafts
 * still to show, last.
 * @typedef {{moment: Moment, n: number} | {drafts: Moment[]}} RunRow
 */
/** @typedef {import("../shared/state.js").Moment} Moment */

/** The drafts still to show, each with its own reveal button (keyed by moment). */
function draftsItem() {
  return el("li", { class: "drafts" }, el("h3", { class: "subheading" }), el("ul", { class: "draft-list" }));
}

function updateDrafts(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {HTMLElement} */ item,
  /** @type {Moment[]} */ drafts,
) {
  setText($("h3", item), t("run.drafts_heading", { count: drafts.length }));
  renderList($("ul.draft-list", item), drafts, {
    key: (d) => d.id,
    inputs: (d) => momentLabel(ctx, d),
    build: (d) =>
      el(
        "li",
        {},
        el("span", { text: momentLabel(ctx, d) }),
        " ",
        button(
          "run.reveal_this",
          async () => {
            const ack = await ctx.send("moment.reveal", { id: d.id });
            if (ack.ok) announceReveal(ctx, d.id);
          },
          { key: `reveal-${d.id}`, label: t("run.reveal_this_label", { moment: momentLabel(ctx, d) }) },
        ),
      ),
  });
}

/**
 * A revealed moment's card: a shell kept for as long as the moment is shown. Its parts are
 * redone in place when what they show changes (updateRunItem), and its interpretations are a
 * keyed list, so one arriving from a phone leaves the focus on the card's buttons alone.
 */
function runItem(/** @type {Moment} */ moment) {
  return el(
    "li",
    { data: { testid: "run-moment", momentId: moment.id } },
    el("div", { class: "moment-head" }),
    el("p", { class: "moment-text" }),
    el("p", { class: "moment-source" }),
    el("ul", { class: "theme-tags" }),
    el("div", { class: "button-row button-row-small" }),
    el(
      "section",
      { class: "live" },
      el("h3", { class: "subheading" }),
      el("ul", { class: "interp-list", data: { testid: `interpretations-${moment.id}` } }),
    ),
  );
}

function updateRunItem(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {HTMLElement} */ item,
  /** @type {{moment: Moment, n: number}} */ { moment, n },
) {
  const m = ctx.meeting;
  const isCurrent = m.current_moment_id === moment.id;
  const source = partyOf(m, moment.source_party_id);
  const themes = themesOn(m, "moment", moment.id).map((th) => th.label);
  const label = (/** @type {string} */ key) => t(key, { n });
  const className = `moment-card moment-revealed${isCurrent ? " moment-current" : ""}`;
  if (item.className !== className) item.className = className;
  if (isCurrent) item.setAttribute("aria-current", "true");
  else item.removeAttribute("aria-current");
  if (source) paintParty(item, source);
  else {
    item.style.removeProperty("--party-colour");
    item.style.removeProperty("--party-text");
  }
  renderPart($(".moment-head", item), [n, moment.when, isCurrent, moment.pii], () => [
    el("span", { class: "moment-number", text: String(n) }),
    moment.when ? el("span", { class: "moment-when", text: moment.when }) : null,
    isCurrent ? el("span", { class: "badge badge-current", text: t("run.current") }) : null,
    moment.pii ? piiMark() : null,
  ]);
  setText($(".moment-text", item), moment.text);
  const sourceLine = $(".moment-source", item);
  sourceLine.hidden = !source;
  renderPart(sourceLine, source, () =>
    source ? [el("span", { text: t("moments.source_prefix") }), " ", partyChip(source)] : [],
  );
  const tags = $("ul.theme-tags", item);
  tags.hidden = !themes.length;
  if (themes.length) tags.setAttribute("aria-label", t("themes.on_item"));
  else tags.removeAttribute("aria-label");
  renderPart(tags, themes, () => themes.map((text) => el("li", { class: "theme-tag", text })));
  renderPart($(".button-row", item), [moment, n, isCurrent], () => [
    isCurrent
      ? null
      : button("run.focus", () => ctx.send("moment.focus", { id: moment.id }), {
          key: `focus-${moment.id}`,
          label: label("run.focus_label"),
          testid: "focus-moment",
        }),
    button("interp.add", () => addInterpretationDialog(ctx, moment), {
      key: `run-interp-${moment.id}`,
      label: label("interp.add_label"),
      testid: "run-interp-add",
    }),
    button("themes.flag", () => flagThemeDialog(ctx, "moment", moment.id), {
      key: `run-theme-${moment.id}`,
      label: label("themes.flag_moment_label"),
    }),
    button("action.edit", () => editMomentDialog(ctx, moment), {
      key: `run-edit-${moment.id}`,
      label: label("moments.edit_label"),
    }),
  ]);
  const count = Object.values(m.interpretations).filter((i) => i.moment_id === moment.id).length;
  const live = $("section.live", item);
  const name = t("run.interps_label", { n, moment: snippet(moment.text, 40) });
  if (live.getAttribute("aria-label") !== name) live.setAttribute("aria-label", name);
  setText($("h3", live), t("run.interps_heading", { count }));
  renderInterpretations(ctx, $("ul.interp-list", live), moment, { themes: true });
}
