/**
 * The phase stepper and the agenda timer: where the meeting is, and whether it keeps pace.
 * @module facilitator/stepper
 */

import { t } from "../shared/i18n.js";
import { AGENDA_PARTS, STEPS, TAB_FOR_PHASE, clock, elapsedByPart, plannedMinutes } from "./agenda.js";
import { $, setText } from "../shared/dom.js";
import { byId, confirmDialog, el, renderList } from "./ui.js";

/** The clock of each agenda part in its step, found again after a step was rebuilt. */
/** @type {Record<string, HTMLElement>} */
let clocks = {};

export function setup(/** @type {import("./console.js").Ctx} */ ctx) {
  byId("stepper").addEventListener("click", async (event) => {
    const target = event.target instanceof Element ? event.target.closest("button[data-phase]") : null;
    if (!(target instanceof HTMLElement) || !target.dataset.phase || !ctx.meeting) return;
    const phase = target.dataset.phase;
    if (phase === ctx.meeting.phase) {
      ctx.showTab(TAB_FOR_PHASE[phase]);
      return;
    }
    if (phase === "closed") {
      const ok = await confirmDialog({
        title: t("phase.close_title"),
        lines: [t("phase.close_text")],
        confirm: "phase.close_confirm",
        testid: "close-phase",
      });
      if (!ok) return;
    }
    const ack = await ctx.send("meeting.phase", { phase });
    if (ack.ok) ctx.showTab(TAB_FOR_PHASE[phase]);
    // Closing waits for agreements on new information: those are on the finish tab.
    else if (phase === "closed" && ack.error?.code === "conflict") ctx.showTab("finish");
  });
  setInterval(() => tick(ctx), 1000);
}

/**
 * The steps are a keyed list with one element per phase, updated in place when the phase moves on
 * (here or on another facilitator's device): the focused step keeps its element and its focus.
 */
export function render(/** @type {import("./console.js").Ctx} */ ctx) {
  const m = ctx.meeting;
  const current = STEPS.indexOf(m.phase);
  renderList(byId("stepper"), [...STEPS], {
    key: (phase) => phase,
    inputs: (phase) => phase,
    build: stepItem,
    update: (item, phase, index) => {
      const state = index < current ? "done" : index === current ? "current" : "todo";
      const button = $("button.step", item);
      setClass(item, `step-item step-item-${state}`);
      setClass(button, `step step-${state}`);
      if (state === "current") button.setAttribute("aria-current", "step");
      else button.removeAttribute("aria-current");
      setText($(".step-suffix", button), state === "current" ? t("phase.current_suffix") : "");
      const clock = button.querySelector(".step-time");
      if (clock instanceof HTMLElement) clocks[phase] = clock;
    },
  });
  tick(ctx);
}

function stepItem(/** @type {string} */ phase, /** @type {number} */ index) {
  return el(
    "li",
    {},
    el(
      "button",
      { class: "step", attrs: { type: "button" }, data: { phase, key: `phase-${phase}`, testid: `phase-${phase}` } },
      el("span", { class: "step-number", text: `${index + 1}` }),
      el("span", { class: "step-name", text: t(`phase.${phase}`) }),
      AGENDA_PARTS.includes(phase) ? el("span", { class: "step-time" }) : null,
      el("span", { class: "visually-hidden step-suffix" }),
    ),
  );
}

function setClass(/** @type {Element} */ node, /** @type {string} */ name) {
  if (node.className !== name) node.className = name;
}

function tick(/** @type {import("./console.js").Ctx} */ ctx) {
  const m = ctx.meeting;
  if (!m) return;
  const elapsed = elapsedByPart(m, ctx.now());
  for (const part of AGENDA_PARTS) {
    const span = clocks[part];
    if (!span) continue;
    const planned = Number(m.agenda?.[part]) || 0;
    const started = typeof m.part_started_at?.[part] === "number";
    const text = started
      ? t("agenda.step_time", { elapsed: clock(elapsed[part]), planned })
      : t("agenda.step_planned", { planned });
    if (span.textContent !== text) span.textContent = text;
    span.classList.toggle("over", started && elapsed[part] > planned * 60);
  }
  const currentBox = byId("timer-current");
  const totalBox = byId("timer-total");
  const part = m.phase;
  if (AGENDA_PARTS.includes(part)) {
    const planned = Number(m.agenda?.[part]) || 0;
    const over = elapsed[part] > planned * 60;
    const left = planned * 60 - elapsed[part];
    setText(
      currentBox,
      over
        ? t("agenda.current_over", { phase: t(`phase.${part}`), over: clock(-left), planned })
        : t("agenda.current_left", { phase: t(`phase.${part}`), left: clock(left), planned }),
    );
    currentBox.classList.toggle("over", over);
  } else {
    setText(currentBox, t(`agenda.idle_${part === "closed" ? "closed" : "preparation"}`));
    currentBox.classList.remove("over");
  }
  const spent = AGENDA_PARTS.reduce((sum, p) => sum + elapsed[p], 0);
  const total = plannedMinutes(m);
  setText(totalBox, t("agenda.total_value", { elapsed: clock(spent), planned: total }));
  totalBox.classList.toggle("over", spent > total * 60);
}
