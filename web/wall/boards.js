/**
 * The wall in the later parts: common threads placed on the collaboration triangle (content and
 * goal on top, the playing field in the middle, relations at the base), then the working
 * agreements and lessons.
 * @module wall/boards
 */

import { el, partyChip, replace } from "../shared/dom.js";
import { formatDay, t } from "../shared/i18n.js";
import { fitList } from "./pages.js";
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
      ? el(
          "ul",
          { class: "w-thread__moments" },
          ...moments.map((m) =>
            el(
              "li",
              { data: { hasWhen: String(Boolean(m.when)) } },
              m.when ? el("span", { class: "w-thread__when", text: m.when }) : null,
              el("span", { class: "w-thread__mtext", text: m.text }),
            ),
          ),
        )
      : null,
    themes.length
      ? el(
          "ul",
          { class: "w-moment__themes" },
          ...themes.map((th) => el("li", { class: "w-tag", text: `# ${th.label}` })),
        )
      : null,
  );
}

/** Type sizes for thread text and linked moments, largest first; the last is the 5 m minimum. */
const TRIANGLE_LEVELS_PX = [
  [34, 24],
  [32, 23],
  [30, 22],
  [28, 21],
  [26, 20],
  [24, 20],
  [22, 20],
];

/**
 * Threads on the collaboration triangle: content and goal on top, the playing field in the middle,
 * relations at the base, each level beside its slice of the triangle. The type shrinks until
 * every card fits whole (never below the minimum); nothing is clipped.
 * @param {Meeting} meeting
 * @param {HTMLElement} slot
 */
export function renderTriangle(meeting, slot) {
  const threads = ordered(meeting.threads);
  const rows = TRIANGLE_LEVELS.map((level, index) => {
    const own = threads.filter((th) => th.level === level);
    return el(
      "div",
      { class: "w-triangle__row", data: { level, count: String(own.length) } },
      el(
        "div",
        { class: "w-triangle__side" },
        el("h3", { class: "w-triangle__label", text: t(`triangle.${level}`) }),
        el(
          "div",
          { class: `w-triangle__band w-triangle__band--${index + 1}`, attrs: { "aria-hidden": "true" } },
          el("span", { class: "w-triangle__number", text: String(index + 1) }),
        ),
      ),
      el(
        "div",
        { class: "w-triangle__level" },
        own.length
          ? el(
              "ol",
              { class: "w-triangle__threads", attrs: { "aria-label": t(`triangle.${level}`) } },
              ...own.map((th) => threadCard(meeting, th)),
            )
          : el("p", { class: "w-triangle__none", i18n: "wall.reflection.level_empty" }),
      ),
    );
  });
  const unplaced = threads.filter((th) => !th.level);
  replace(
    slot,
    ...rows,
    unplaced.length
      ? el(
          "div",
          { class: "w-triangle__row w-triangle__row--unplaced", data: { level: "none" } },
          el("p", { class: "w-triangle__unplaced", i18n: "triangle.unplaced" }),
          el("ol", { class: "w-triangle__threads" }, ...unplaced.map((th) => threadCard(meeting, th))),
        )
      : null,
    threads.length ? null : el("p", { class: "w-empty", i18n: "wall.reflection.empty" }),
  );
  fitTriangle(slot);
}

/** @param {HTMLElement} slot */
function fitTriangle(slot) {
  const overflowing = () =>
    slot.scrollHeight > slot.clientHeight + 1 ||
    [...slot.querySelectorAll(".w-thread")].some(
      (card) => card.scrollHeight > card.clientHeight + 1 || card.scrollWidth > card.clientWidth + 1,
    );
  // First with each linked moment's text; on a small screen, moments that have a date are named
  // by it alone (their text is on the timeline), so the threads themselves stay large and whole.
  for (const compact of ["false", "true"]) {
    slot.dataset.compact = compact;
    for (let level = 0; level < TRIANGLE_LEVELS_PX.length; level += 1) {
      slot.style.setProperty("--thread-size", `${TRIANGLE_LEVELS_PX[level][0]}px`);
      slot.style.setProperty("--thread-moment-size", `${TRIANGLE_LEVELS_PX[level][1]}px`);
      slot.dataset.level = String(level);
      if (!overflowing()) return;
    }
  }
  // Still too much at the minimum: let the board scroll slowly rather than cut anything.
  slot.dataset.level = "overflow";
}

/**
 * @param {Meeting} meeting
 * @param {{agreements: HTMLElement, lessons: HTMLElement, agreementsPages: HTMLElement,
 *   lessonsPages: HTMLElement}} slots
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
            el(
              "p",
              { class: "w-agreement__meta" },
              owner ? partyChip(owner) : null,
              a.due ? el("span", { text: t("agreement.due", { date: formatDay(a.due) }) }) : null,
              el("span", { class: "w-agreement__status", text: t(`agreement.status.${a.status}`) }),
            ),
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
  fitList(slots.agreements, slots.agreementsPages);
  fitList(slots.lessons, slots.lessonsPages);
}
