/**
 * The timeline on the wall. The current moment is large with every interpretation in full; the
 * moment discussed before it stays beside it; earlier moments fill the remaining columns a page at
 * a time and the wall turns the pages on its own. Nothing said is ever cut or hidden for good:
 * when everything does not fit at a legible size (moment text >= 28px, interpretations >= 20px),
 * the wall rotates rather than truncates, so every party's words come round.
 * @module wall/timeline
 */

import { el, replace, setText } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { currentMoment, interpretationsFor, orderedThemes, revealedMoments, themesOn } from "../shared/state.js";
import { cardNode, fits, splitIntoCards } from "./cards.js";

/** @typedef {import("../shared/state.js").Meeting} Meeting */
/** @typedef {import("../shared/state.js").Moment} Moment */
/** @typedef {import("./cards.js").Card} Card */
/**
 * @typedef {{moments: HTMLElement, current: HTMLElement, earlier: HTMLElement, probe: HTMLElement,
 *   pager: HTMLElement, stage: HTMLElement, themes: HTMLElement, empty: HTMLElement}} Slots
 */

/** Type sizes for the current moment, largest first; the last is the legible minimum. */
const LEVELS = [
  [44, 30],
  [40, 28],
  [36, 26],
  [34, 24],
  [32, 23],
  [30, 22],
  [28, 21],
  [28, 20],
];
/** Share of the stage the current moment may take, smallest first (more room for the rest). */
const SPLITS = [0.4, 0.46, 0.52, 0.6];
/** Narrowest column for an earlier moment (about 30 characters a line at 20px). */
const MIN_COLUMN = 330;
/** Seconds a page of earlier moments stays up; the link may ask for another pace (?rotate=8). */
const ROTATE_SECONDS = Math.max(3, Number(new URLSearchParams(location.search).get("rotate")) || 12);

/**
 * What the wall shows now: set by fitting, turned by the rotation.
 * @type {{current: Card[], pinned: Card[], pages: Card[][], page: number, cols: number,
 *   currentId: string | null, previousId: string | null, meeting: Meeting | null, slots: Slots | null}}
 */
const plan = {
  current: [],
  pinned: [],
  pages: [],
  page: 0,
  cols: 1,
  currentId: null,
  previousId: null,
  meeting: null,
  slots: null,
};
/** @type {ReturnType<typeof setInterval> | null} */
let timer = null;

/** @param {Meeting} meeting */
function focusMoment(meeting) {
  const current = currentMoment(meeting);
  if (current && current.state === "revealed") return current;
  let latest = /** @type {Moment | null} */ (null);
  for (const m of revealedMoments(meeting)) if (!latest || (m.revealed_at ?? 0) > (latest.revealed_at ?? 0)) latest = m;
  return latest;
}

/** @param {HTMLElement} node @param {number} moment @param {number} interp */
function setSizes(node, moment, interp) {
  node.style.setProperty("--moment-size", `${moment}px`);
  node.style.setProperty("--interp-size", `${interp}px`);
}

/**
 * The largest level at which the current moment fits its column whole, or -1.
 * @param {HTMLElement} column
 */
function bestLevel(column) {
  const card = /** @type {HTMLElement} */ (column.firstElementChild);
  for (let level = 0; level < LEVELS.length; level += 1) {
    setSizes(column, LEVELS[level][0], LEVELS[level][1]);
    if (fits(card)) return level;
  }
  return -1;
}

/**
 * Size the probe like one of `cols` columns of the rest area.
 * @param {Slots} slots
 * @param {number} cols
 */
function sizeProbe(slots, cols) {
  const area = slots.earlier.getBoundingClientRect();
  const gap = parseFloat(getComputedStyle(slots.earlier).columnGap) || 0;
  slots.probe.style.setProperty("--probe-width", `${Math.floor((area.width - gap * (cols - 1)) / cols)}px`);
  slots.probe.style.setProperty("--probe-height", `${Math.floor(area.height)}px`);
}

/**
 * Work out the plan: the split between current and the rest, the current's type size, how many
 * columns the rest has, and the pages of earlier moments.
 * @param {Meeting} meeting
 * @param {Slots} slots
 * @param {Moment} focus
 */
function fitPlan(meeting, slots, focus) {
  const others = revealedMoments(meeting).filter((m) => m.id !== focus.id);
  let previous = /** @type {Moment | null} */ (null);
  for (const m of others) if (!previous || (m.revealed_at ?? 0) > (previous.revealed_at ?? 0)) previous = m;
  const earlier = others.filter((m) => m !== previous);
  plan.previousId = previous?.id ?? null;
  const currentItems = interpretationsFor(meeting, focus.id);
  const whole = { moment: focus, items: currentItems, part: 1, parts: 1 };
  slots.stage.dataset.solo = String(!previous);
  replace(slots.current, cardNode(meeting, whole, "current"));

  /** @type {{split: number, level: number, cols: number} | null} */
  let chosen = null;
  const splits = previous ? SPLITS : [1];
  for (const split of splits) {
    slots.stage.style.setProperty("--split", String(split));
    const level = bestLevel(slots.current);
    if (level < 0) continue;
    if (!previous) {
      chosen = { split, level, cols: 1 };
      break;
    }
    const maxCols = Math.max(1, Math.floor(slots.earlier.getBoundingClientRect().width / MIN_COLUMN));
    for (let cols = Math.min(maxCols, 1 + earlier.length); cols >= 1; cols -= 1) {
      sizeProbe(slots, cols);
      replace(
        slots.probe,
        cardNode(
          meeting,
          { moment: previous, items: interpretationsFor(meeting, previous.id), part: 1, parts: 1 },
          "previous",
        ),
      );
      if (fits(/** @type {HTMLElement} */ (slots.probe.firstElementChild))) {
        chosen = { split, level, cols };
        break;
      }
    }
    if (chosen) break;
  }
  // A wider current column is worth it when the rest keeps its columns: larger type for "now".
  if (chosen && previous) {
    const best = chosen;
    for (const split of splits.filter((s) => s > best.split)) {
      slots.stage.style.setProperty("--split", String(split));
      const level = bestLevel(slots.current);
      if (level < 0 || level >= chosen.level) continue;
      sizeProbe(slots, chosen.cols);
      replace(
        slots.probe,
        cardNode(
          meeting,
          { moment: previous, items: interpretationsFor(meeting, previous.id), part: 1, parts: 1 },
          "previous",
        ),
      );
      if (fits(/** @type {HTMLElement} */ (slots.probe.firstElementChild)))
        chosen = { split, level, cols: chosen.cols };
    }
  }
  // Nothing fits whole even at the smallest size: half and half, and cards in parts.
  chosen ??= { split: previous ? 0.5 : 1, level: LEVELS.length - 1, cols: 1 };
  slots.stage.style.setProperty("--split", String(chosen.split));
  setSizes(slots.current, LEVELS[chosen.level][0], LEVELS[chosen.level][1]);
  slots.current.dataset.level = String(chosen.level);

  // The current moment in parts only when it cannot fit whole (a very long contribution).
  const currentProbe = slots.probe;
  plan.current = fits(/** @type {HTMLElement} */ (slots.current.firstElementChild))
    ? [whole]
    : (() => {
        const box = slots.current.getBoundingClientRect();
        currentProbe.style.setProperty("--probe-width", `${Math.floor(box.width)}px`);
        currentProbe.style.setProperty("--probe-height", `${Math.floor(box.height)}px`);
        setSizes(currentProbe, LEVELS[LEVELS.length - 1][0], LEVELS[LEVELS.length - 1][1]);
        const cards = splitIntoCards(meeting, focus, currentItems, currentProbe, "current");
        currentProbe.style.removeProperty("--moment-size");
        currentProbe.style.removeProperty("--interp-size");
        return cards;
      })();

  plan.cols = chosen.cols;
  plan.pinned = [];
  plan.pages = [];
  if (previous) {
    sizeProbe(slots, chosen.cols);
    const prevCards = splitIntoCards(
      meeting,
      previous,
      interpretationsFor(meeting, previous.id),
      slots.probe,
      "previous",
    );
    const earlierCards = earlier.flatMap((m) => cardsOf(meeting, m, slots.probe));
    if (chosen.cols >= 2 && prevCards.length === 1) {
      plan.pinned = prevCards;
      const per = chosen.cols - 1;
      for (let i = 0; i < earlierCards.length; i += per) plan.pages.push(earlierCards.slice(i, i + per));
    } else {
      // One column: the previous moment first, then each earlier one in turn.
      for (const card of [...prevCards, ...earlierCards]) plan.pages.push([card]);
    }
  }
  replace(slots.probe);
}

/**
 * Cards for an earlier moment, measured once per content and column size: a reveal re-plans the
 * wall, but the moments already shown have not changed, so their measurements are reused.
 * @type {Map<string, Card[]>}
 */
const measured = new Map();

/**
 * @param {Meeting} meeting
 * @param {Moment} moment
 * @param {HTMLElement} probe
 */
function cardsOf(meeting, moment, probe) {
  const items = interpretationsFor(meeting, moment.id);
  const key = JSON.stringify([
    probe.style.getPropertyValue("--probe-width"),
    probe.style.getPropertyValue("--probe-height"),
    moment.id,
    moment.text,
    moment.when,
    items.map((i) => [i.id, i.text, meeting.parties[i.party_id]?.name]),
    themesOn(meeting, "moment", moment.id).map((th) => th.label),
    document.documentElement.lang,
  ]);
  let cards = measured.get(key);
  if (!cards) {
    cards = splitIntoCards(meeting, moment, items, probe, "earlier");
    if (measured.size > 500) measured.clear();
    measured.set(key, cards);
  }
  // Cards carry the moment object they were made from: give them today's.
  return cards.map((card) => ({ ...card, moment, items: card.items.map((i) => meeting.interpretations[i.id] ?? i) }));
}

/** Draw the page of earlier moments (and the current's part) the rotation is on. */
function drawPage() {
  const { meeting, slots } = plan;
  if (!meeting || !slots) return;
  const pages = plan.pages.length;
  plan.page = pages ? plan.page % pages : 0;
  const shown = [...(plan.pages[plan.page] ?? []), ...plan.pinned];
  const cols = Math.max(1, Math.min(plan.cols, shown.length || 1));
  slots.earlier.style.setProperty("--cols", String(plan.cols >= 2 ? plan.cols : cols));
  replace(
    slots.earlier,
    ...shown.map((card) => cardNode(meeting, card, card.moment.id === plan.previousId ? "previous" : "earlier")),
  );
  if (plan.current.length > 1) {
    replace(slots.current, cardNode(meeting, plan.current[plan.page % plan.current.length], "current"));
  }
  slots.stage.dataset.page = String(plan.page);
  slots.stage.dataset.pages = String(Math.max(pages, plan.current.length));
  // Kept in the layout either way, so the columns measured are the columns shown.
  slots.pager.classList.toggle("w-pager--idle", pages <= 1 && plan.current.length <= 1);
  setText(slots.pager, t("wall.pager", { page: plan.page + 1, pages: Math.max(pages, plan.current.length) }));
}

/** Turn to the next (or previous) page; the timer starts again so each page gets its time. */
export function turnPage(step = 1) {
  const count = Math.max(plan.pages.length, plan.current.length);
  if (count <= 1) return;
  plan.page = (plan.page + step + count) % count;
  drawPage();
  restartTimer();
}

function restartTimer() {
  if (timer) clearInterval(timer);
  timer = setInterval(() => {
    if (document.hidden) return;
    const count = Math.max(plan.pages.length, plan.current.length);
    if (count <= 1) return;
    plan.page = (plan.page + 1) % count;
    drawPage();
  }, ROTATE_SECONDS * 1000);
}

/**
 * Draw the timeline and the themes board.
 * @param {Meeting} meeting
 * @param {Slots} slots
 */
export function renderTimeline(meeting, slots) {
  // The themes board first: its height is part of what the timeline has left to fill.
  const themes = orderedThemes(meeting).filter((th) => th.flags.length > 0);
  replace(
    slots.themes,
    ...(themes.length
      ? themes.map((th) =>
          el(
            "li",
            { class: "w-theme" },
            el("span", { class: "w-theme__label", text: th.label }),
            el("span", { class: "w-theme__count", text: String(th.flags.length) }),
          ),
        )
      : [el("li", { class: "w-theme w-theme--empty", i18n: "wall.themes.empty" })]),
  );
  const focus = focusMoment(meeting);
  slots.empty.hidden = Boolean(focus);
  slots.stage.hidden = !focus;
  plan.meeting = meeting;
  plan.slots = slots;
  if (focus) {
    if (plan.currentId !== focus.id) {
      plan.page = 0;
      restartTimer();
    }
    plan.currentId = focus.id;
    slots.stage.dataset.orientation = innerHeight > innerWidth ? "portrait" : "landscape";
    fitPlan(meeting, slots, focus);
    drawPage();
  }
}

/**
 * Mark a freshly revealed moment for a few seconds.
 * @param {HTMLElement} container
 * @param {string} momentId
 */
export function highlight(container, momentId) {
  const node = container.querySelector(`[data-moment-id="${CSS.escape(momentId)}"]`);
  if (!node) return;
  node.classList.remove("w-moment--new");
  void (/** @type {HTMLElement} */ (node).offsetWidth);
  node.classList.add("w-moment--new");
  node.addEventListener("animationend", () => node.classList.remove("w-moment--new"), { once: true });
}
