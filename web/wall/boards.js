/**
 * The wall in the later parts: common threads placed on the collaboration triangle (content and
 * goal on top, the playing field in the middle, relations at the base), then the working
 * agreements and lessons.
 * @module wall/boards
 */

import { el, partyChip, replace } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { TRIANGLE_LEVELS, ordered, partyOf } from "../shared/state.js";

/** @typedef {import("../shared/state.js").Meeting} Meeting */
/** @typedef {import("../shared/state.js").Thread} Thread */

/** @param {Meeting} meeting @param {Thread} thread */
function threadCard(meeting, thread) {
  const moments = thread.moment_ids.map((id) => meeting.moments[id]).filter(Boolean);
  const themes = thread.theme_ids.map((id) => meeting.themes[id]).filter(Boolean);
  return el(
    "li",
    { class: "w-thread", data: { threadId: thread.id } },
    el("p", { class: "w-thread__text", text: thread.text }),
    moments.length
      ? el("ul", { class: "w-thread__moments" },
          ...moments.map((m) => el("li", { text: m.when ? `${m.when}: ${m.text}` : m.text })))
      : null,
    themes.length
      ? el("ul", { class: "w-moment__themes" }, ...themes.map((th) => el("li", { class: "w-tag", text: `# ${th.label}` })))
      : null,
  );
}

/**
 * @param {Meeting} meeting
 * @param {HTMLElement} slot
 */
export function renderTriangle(meeting, slot) {
  const threads = ordered(meeting.threads);
  const rows = TRIANGLE_LEVELS.map((level, index) =>
    el(
      "div",
      { class: "w-triangle__row", data: { level } },
      el("div", { class: `w-triangle__band w-triangle__band--${index + 1}` },
        el("span", { class: "w-triangle__label", text: t(`triangle.${level}`) })),
      el("ol", { class: "w-triangle__threads", attrs: { "aria-label": t(`triangle.${level}`) } },
        ...threads.filter((th) => th.level === level).map((th) => threadCard(meeting, th))),
    ),
  );
  const unplaced = threads.filter((th) => !th.level);
  replace(
    slot,
    ...rows,
    unplaced.length
      ? el("div", { class: "w-triangle__row w-triangle__row--unplaced", data: { level: "none" } },
          el("p", { class: "w-triangle__unplaced", i18n: "triangle.unplaced" }),
          el("ol", { class: "w-triangle__threads" }, ...unplaced.map((th) => threadCard(meeting, th))))
      : null,
    threads.length ? null : el("p", { class: "w-empty", i18n: "wall.reflection.empty" }),
  );
}

/**
 * @param {Meeting} meeting
 * @param {{agreements: HTMLElement, lessons: HTMLElement}} slots
 */
export function renderAgreements(meeting, slots) {
  const agreements = ordered(meeting.agreements);
  replace(
    slots.agreements,
    ...(agreements.length
      ? agreements.map((a) => {
          const owner = partyOf(meeting, a.owner_party_id);
          return el(
            "li",
            { class: "w-agreement", data: { agreementId: a.id, status: a.status } },
            el("p", { class: "w-agreement__text", text: a.text }),
            el("p", { class: "w-agreement__meta" },
              owner ? partyChip(owner) : null,
              a.due ? el("span", { text: t("agreement.due", { date: a.due }) }) : null,
              el("span", { class: "w-agreement__status", text: t(`agreement.status.${a.status}`) })),
          );
        })
      : [el("li", { class: "w-empty", i18n: "wall.agreements.empty" })]),
  );
  const lessons = ordered(meeting.lessons);
  replace(
    slots.lessons,
    ...(lessons.length
      ? lessons.map((l) => el("li", { class: "w-lesson", text: l.text }))
      : [el("li", { class: "w-empty", i18n: "wall.lessons.empty" })]),
  );
}
