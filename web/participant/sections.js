/**
 * What forms in the reflection and agreements phases: common threads (with their level on the
 * collaboration triangle and the moments they point at), working agreements and lessons.
 * Read-only, except that in a follow-up meeting the owning party sets an agreement's status and
 * anyone may add a new lesson.
 * @module participant/sections
 */

import { el, keyedList, partyChip, replace, setText } from "../shared/dom.js";
import { errorMessage, formatDay, t } from "../shared/i18n.js";
import { confirmPersonalData } from "../shared/pii_guard.js";
import { ordered, partyOf } from "../shared/state.js";

/** @typedef {import("../shared/state.js").Meeting} Meeting */

/** @param {Meeting} meeting */
function threadsSection(meeting) {
  const threads = ordered(meeting.threads);
  const list = el("ol", { class: "p-threads" });
  keyedList(
    list,
    threads,
    (th) => th.id,
    (thread) =>
      el(
        "li",
        { class: "card p-thread", data: { threadId: thread.id } },
        el("p", { class: "p-thread__level", text: t(thread.level ? `triangle.${thread.level}` : "triangle.unplaced") }),
        el("p", { class: "p-thread__text", text: thread.text }),
        thread.moment_ids.length
          ? el(
              "ul",
              { class: "p-thread__moments", attrs: { "aria-label": t("participant.thread.moments") } },
              ...thread.moment_ids
                .map((id) => meeting.moments[id])
                .filter(Boolean)
                .map((m) => el("li", { text: m.when ? `${m.when}: ${m.text}` : m.text })),
            )
          : null,
      ),
  );
  return el(
    "section",
    { class: "p-block", attrs: { "aria-labelledby": "threads-title" } },
    el("h2", { class: "p-section-title", attrs: { id: "threads-title" }, i18n: "threads.title" }),
    threads.length ? list : el("p", { class: "p-empty", i18n: "participant.threads.empty" }),
  );
}

/** @type {HTMLFormElement | null} */
let lessonForm = null;

/**
 * The "new lesson" form of a follow-up meeting. Made once and moved into each rebuilt section,
 * so what someone is typing survives every change that comes in meanwhile.
 * @param {{send: (name: string, payload: Record<string, unknown>) => Promise<any>}} ctx
 */
function lessonFormFor(ctx) {
  if (lessonForm) return lessonForm;
  const field = el("textarea", { attrs: { id: "new-lesson", rows: 3, maxlength: 1000 } });
  const warn = el("div", { class: "inline-form__warn" });
  const error = el("p", { class: "inline-form__error", attrs: { role: "alert" } });
  const submit = el("button", {
    class: "button button--primary",
    attrs: { type: "submit" },
    i18n: "participant.lesson.submit",
  });
  const form = /** @type {HTMLFormElement} */ (
    el(
      "form",
      { class: "inline-form p-lesson-form" },
      el("label", { attrs: { for: "new-lesson" }, i18n: "participant.lesson.label" }),
      field,
      warn,
      error,
      el("div", { class: "inline-form__buttons" }, submit),
    )
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = /** @type {HTMLTextAreaElement} */ (field).value.trim();
    if (!text) {
      setText(error, t("participant.empty"));
      return;
    }
    if (!(await confirmPersonalData(text, warn, field))) return;
    submit.setAttribute("disabled", "");
    const ack = await ctx.send("lesson.add", { text });
    submit.removeAttribute("disabled");
    if (ack.ok) {
      /** @type {HTMLTextAreaElement} */ (field).value = "";
      setText(error, "");
    } else {
      setText(error, errorMessage(ack.error));
    }
  });
  lessonForm = form;
  return form;
}

/**
 * @param {Meeting} meeting
 * @param {{partyId: string, send: (name: string, payload: Record<string, unknown>) => Promise<any>}} ctx
 */
function agreementsSection(meeting, ctx) {
  const agreements = ordered(meeting.agreements);
  const canSet = meeting.kind === "follow_up" && meeting.phase !== "closed";
  const list = el("ol", { class: "p-agreements" });
  keyedList(
    list,
    agreements,
    (a) => a.id,
    (agreement) => {
      const owner = partyOf(meeting, agreement.owner_party_id);
      let status;
      if (canSet && agreement.owner_party_id === ctx.partyId) {
        const id = `status-${agreement.id}`;
        const error = el("p", { class: "inline-form__error", attrs: { role: "alert" } });
        const select = el(
          "select",
          { attrs: { id } },
          ...["not_started", "in_progress", "done"].map((value) =>
            el("option", { attrs: { value, selected: value === agreement.status }, i18n: `agreement.status.${value}` }),
          ),
        );
        select.addEventListener("change", async () => {
          const ack = await ctx.send("agreement.status", { id: agreement.id, status: select.value });
          setText(error, ack.ok ? "" : errorMessage(ack.error));
        });
        status = el(
          "div",
          { class: "field p-agreement__status" },
          el("label", { attrs: { for: id }, i18n: "participant.agreement.status" }),
          select,
          error,
        );
      } else {
        status = el("p", {
          class: "p-agreement__status",
          data: { status: agreement.status },
          text: t(`agreement.status.${agreement.status}`),
        });
      }
      return el(
        "li",
        { class: "card p-agreement", data: { agreementId: agreement.id } },
        el("p", { class: "p-agreement__text", text: agreement.text }),
        el(
          "div",
          { class: "p-agreement__meta" },
          owner ? el("span", { i18n: "agreement.owner" }) : null,
          owner ? partyChip(owner) : null,
          agreement.due ? el("span", { text: t("agreement.due", { date: formatDay(agreement.due) }) }) : null,
        ),
        status,
      );
    },
  );
  const lessons = ordered(meeting.lessons);
  return el(
    "section",
    { class: "p-block", attrs: { "aria-labelledby": "agreements-title" } },
    el("h2", { class: "p-section-title", attrs: { id: "agreements-title" }, i18n: "agreements.title" }),
    agreements.length ? list : el("p", { class: "p-empty", i18n: "participant.agreements.empty" }),
    lessons.length
      ? el(
          "div",
          {},
          el("h2", { class: "p-section-title", i18n: "lessons.title" }),
          el("ul", { class: "p-lessons" }, ...lessons.map((l) => el("li", { class: "card", text: l.text }))),
        )
      : null,
    canSet
      ? el("div", {}, el("h2", { class: "p-section-title", i18n: "participant.lesson.title" }), lessonFormFor(ctx))
      : null,
  );
}

/**
 * Fill the top slot with what the phase calls for. Rebuilt on every change; it holds no forms
 * except the owner's status select, which keeps its value because it mirrors the state.
 * @param {HTMLElement} slot
 * @param {Meeting} meeting
 * @param {{partyId: string, send: (name: string, payload: Record<string, unknown>) => Promise<any>}} ctx
 */
export function renderPhaseSections(slot, meeting, ctx) {
  const phase = meeting.phase;
  const parts = [];
  if (meeting.kind === "follow_up" || phase === "agreements" || phase === "closed") {
    parts.push(agreementsSection(meeting, ctx));
  }
  if (phase === "reflection" || phase === "agreements" || phase === "closed") {
    parts.push(threadsSection(meeting));
  }
  const focused = slot.contains(document.activeElement) ? document.activeElement?.id : null;
  replace(slot, ...parts);
  if (focused) document.getElementById(focused)?.focus();
}
