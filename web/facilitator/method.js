/**
 * The method around the meeting, in the console: the handbook's preconditions (kept, never
 * blocking), how many devices accepted the ground rules, notes of new information (during the
 * timeline; each needs an agreement before the meeting can close), and the reminder to watch for
 * assumptions about an absent party whose input is on the current moment.
 * @module facilitator/method
 */

import { t } from "../shared/i18n.js";
import { providedBeforehand } from "../shared/absent.js";
import { currentMoment, interpretationsFor, partyOf } from "../shared/state.js";
import { momentLabel } from "./interp.js";
import { button, byId, el, maySend, partyChip, piiMark, toast } from "./ui.js";

const PRECONDITIONS = ["case_calm", "most_involved", "light_tensions"];

export function setup(/** @type {import("./console.js").Ctx} */ ctx) {
  byId("new-information-add").addEventListener("click", async () => {
    const ack = await ctx.send("new_information.add", {});
    if (ack.ok) toast(t("newinfo.noted"));
  });
}

/** Preparation: the preconditions and the ground rules count. */
export function renderPrepare(/** @type {import("./console.js").Ctx} */ ctx) {
  const m = ctx.meeting;
  const values = m.preconditions || {};
  byId("preconditions-list").replaceChildren(
    ...PRECONDITIONS.map((name) => {
      const group = `pre-${name}`;
      const option = (/** @type {boolean} */ value, /** @type {string} */ key) => {
        const id = `${group}-${key}`;
        const input = el("input", {
          attrs: { type: "radio", name: group, id, checked: values[name] === value },
          data: { key: id, testid: `precondition-${name}-${key}` },
        });
        input.addEventListener("change", () => ctx.send("meeting.preconditions", { [name]: value }));
        return el("span", { class: "check" }, input, el("label", { attrs: { for: id }, i18n: `preconditions.${key}` }));
      };
      return el(
        "li",
        { class: "precondition" },
        el(
          "fieldset",
          {},
          el("legend", { i18n: `preconditions.${name}` }),
          el("div", { class: "radio-row" }, option(true, "yes"), option(false, "no")),
        ),
      );
    }),
  );
  const advice = [];
  if (values.light_tensions === false)
    advice.push(
      el("p", { class: "warning", i18n: "preconditions.advice_tensions", data: { testid: "precondition-advice" } }),
    );
  if (values.case_calm === false) advice.push(el("p", { class: "warning", i18n: "preconditions.advice_calm" }));
  if (values.most_involved === false) advice.push(el("p", { class: "warning", i18n: "preconditions.advice_involved" }));
  byId("preconditions-advice").replaceChildren(...advice);
  byId("rules-accepted").textContent = rulesAccepted(ctx);
}

/** "3 apparaten hebben deze spelregels geaccepteerd." (counts, never who) */
export function rulesAccepted(/** @type {import("./console.js").Ctx} */ ctx) {
  return t("rules.accepted", { count: ctx.meeting.ground_rules_accepted || 0 });
}

/** The timeline: noting new information, and the absent party reminder. */
export function renderRun(/** @type {import("./console.js").Ctx} */ ctx) {
  const m = ctx.meeting;
  const notes = Object.values(m.new_information || {});
  const open = notes.filter((n) => n.agreement === null).length;
  byId("new-information-count").textContent = t("newinfo.count", { count: notes.length, open });
  byId("new-information-add", HTMLButtonElement).disabled = m.phase === "preparation" || m.phase === "closed";
  const moment = currentMoment(m);
  /** @type {import("../shared/state.js").Party[]} */
  const absent = [];
  if (moment) {
    for (const interp of interpretationsFor(m, moment.id)) {
      const party = partyOf(m, interp.party_id);
      if (providedBeforehand(m, interp) && party && !absent.includes(party)) absent.push(party);
    }
  }
  const slot = byId("absent-reminder");
  slot.hidden = absent.length === 0;
  slot.replaceChildren(
    ...(absent.length
      ? [
          el("p", { class: "notice-title", i18n: "absent.reminder_title" }),
          el("p", {}, ...absent.flatMap((p) => [partyChip(p), " "])),
          el("p", { i18n: "absent.reminder_text" }),
        ]
      : []),
  );
}

/** Finishing: every note with the agreement on how it is handled. */
export function renderFinish(/** @type {import("./console.js").Ctx} */ ctx) {
  const m = ctx.meeting;
  const notes = Object.values(m.new_information || {}).sort((a, b) => a.created_at - b.created_at);
  const open = notes.filter((n) => n.agreement === null).length;
  byId("finish-newinfo-status").textContent = notes.length
    ? t("newinfo.finish_status", { count: notes.length, open })
    : t("newinfo.finish_none");
  byId("finish-newinfo-status").dataset.open = String(open);
  byId("finish-newinfo-list").replaceChildren(...notes.map((note, i) => noteItem(ctx, note, i + 1)));
}

function noteItem(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {import("../shared/state.js").NewInformation} */ note,
  /** @type {number} */ n,
) {
  const m = ctx.meeting;
  const moment = note.moment_id ? m.moments[note.moment_id] : null;
  const id = `newinfo-${note.id}`;
  const area = el("textarea", {
    attrs: { id, rows: 2, maxlength: 1000 },
    data: { key: id, testid: "newinfo-agreement" },
  });
  // What is being typed survives a re-render (the list is rebuilt on every change).
  const previous = /** @type {HTMLTextAreaElement | null} */ (document.getElementById(id));
  if (previous?.dataset.dirty) {
    area.value = previous.value;
    area.dataset.dirty = "1";
  } else {
    area.value = note.agreement || "";
  }
  area.addEventListener("input", () => {
    area.dataset.dirty = "1";
  });
  const save = async () => {
    const current = /** @type {HTMLTextAreaElement | null} */ (document.getElementById(id)) || area;
    const text = current.value.trim();
    if (!text) return current.focus();
    if (!(await maySend(text))) return current.focus();
    const ack = await ctx.send("new_information.agree", { id: note.id, agreement: text });
    if (ack.ok) {
      delete (document.getElementById(id) || area).dataset.dirty;
      toast(t("newinfo.saved"));
      ctx.render();
    }
  };
  return el(
    "li",
    { class: `newinfo ${note.agreement === null ? "newinfo-open" : ""}`, data: { testid: "newinfo-note" } },
    el(
      "p",
      { class: "newinfo-head" },
      el("strong", { text: t("newinfo.note_label", { n }) }),
      " ",
      el("span", {
        text: moment ? t("newinfo.at_moment", { moment: momentLabel(ctx, moment) }) : t("newinfo.no_moment"),
      }),
      " ",
      el("span", { class: "badge", text: t(note.agreement === null ? "newinfo.open" : "newinfo.agreed") }),
      note.pii ? piiMark() : null,
    ),
    el("label", { attrs: { for: id }, text: t("newinfo.agreement_label") }),
    area,
    el(
      "div",
      { class: "button-row button-row-small" },
      button("newinfo.save", save, {
        key: `newinfo-save-${note.id}`,
        testid: "newinfo-save",
        label: t("newinfo.save_label", { n }),
      }),
      button("action.remove", () => ctx.send("new_information.remove", { id: note.id }), {
        key: `newinfo-remove-${note.id}`,
        label: t("newinfo.remove_label", { n }),
        class: "button button--small button--danger",
      }),
    ),
  );
}
