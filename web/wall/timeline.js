/**
 * The timeline on the wall, like the paper wall: moments left to right on top, interpretations
 * below each in the party's colour with the party's name. Up to 6 moments fill one row; more wrap
 * into two or three rows (wide columns keep the 28px moment text readable), and a column that runs out of room hides its oldest interpretations
 * behind a "+N" line, so the wall never scrolls.
 * @module wall/timeline
 */

import { el, keyedList, paintParty, replace, setText } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { absentMarker } from "../shared/absent.js";
import { interpretationsFor, orderedThemes, partyOf, revealedMoments, themesOn } from "../shared/state.js";

/** @typedef {import("../shared/state.js").Meeting} Meeting */

/** @param {number} count */
export function rowsFor(count) {
  if (count <= 6) return 1;
  if (count <= 12) return 2;
  return 3;
}

/**
 * @param {Meeting} meeting
 * @param {import("../shared/state.js").Interpretation} item
 * @param {HTMLElement | undefined} previous
 */
function interpretationNode(meeting, item, previous) {
  const party = partyOf(meeting, item.party_id);
  const beforehand = absentMarker(meeting, item);
  const signature = JSON.stringify([item.text, party?.name, party?.colour, Boolean(beforehand)]);
  if (previous && previous.dataset.sig === signature) return previous;
  const node = el(
    "li",
    { class: "w-interp", data: { interpretationId: item.id, partyId: item.party_id, sig: signature } },
    el("span", { class: "w-interp__party", text: party?.name ?? t("party.none") }, beforehand ? " · " : null, beforehand),
    el("p", { class: "w-interp__text", text: item.text }),
  );
  paintParty(node, party);
  return node;
}

/**
 * @param {Meeting} meeting
 * @param {import("../shared/state.js").Moment} moment
 * @param {HTMLElement | undefined} previous
 */
function momentNode(meeting, moment, previous) {
  const node =
    previous ??
    el(
      "li",
      { class: "w-moment", data: { momentId: moment.id } },
      el("div", { class: "w-moment__head" },
        el("p", { class: "w-moment__when" }),
        el("p", { class: "w-moment__text" }),
        el("ul", { class: "w-moment__themes" })),
      el("p", { class: "w-moment__more" }),
      el("ul", { class: "w-interps" }),
    );
  const when = /** @type {HTMLElement} */ (node.querySelector(".w-moment__when"));
  setText(when, moment.when);
  when.hidden = !moment.when;
  setText(/** @type {HTMLElement} */ (node.querySelector(".w-moment__text")), moment.text);
  replace(
    /** @type {HTMLElement} */ (node.querySelector(".w-moment__themes")),
    ...themesOn(meeting, "moment", moment.id).map((th) => el("li", { class: "w-tag", text: `# ${th.label}` })),
  );
  node.classList.toggle("w-moment--current", meeting.current_moment_id === moment.id);
  keyedList(
    /** @type {HTMLElement} */ (node.querySelector(".w-interps")),
    interpretationsFor(meeting, moment.id),
    (i) => i.id,
    (i, prev) => interpretationNode(meeting, i, prev),
  );
  return node;
}

/**
 * Make a column's interpretations fit: first condense them (fewer lines each), then hide the
 * oldest and say how many are hidden. The newest always stays.
 * @param {HTMLElement} column
 */
function fit(column) {
  const list = /** @type {HTMLElement} */ (column.querySelector(".w-interps"));
  const more = /** @type {HTMLElement} */ (column.querySelector(".w-moment__more"));
  const items = /** @type {HTMLElement[]} */ ([...list.children]);
  const overflows = () => list.scrollHeight > list.clientHeight + 1;
  for (const item of items) item.hidden = false;
  more.hidden = true;
  for (const level of ["normal", "compact", "tight"]) {
    column.dataset.fit = level;
    if (!overflows()) return;
  }
  let hidden = 0;
  more.hidden = false;
  while (hidden < items.length - 1 && overflows()) {
    items[hidden].hidden = true;
    hidden += 1;
    setText(more, t("wall.more", { count: hidden }));
  }
  if (hidden === 0) more.hidden = true;
}

/**
 * Draw the timeline and the themes board.
 * @param {Meeting} meeting
 * @param {{moments: HTMLElement, themes: HTMLElement, empty: HTMLElement}} slots
 */
export function renderTimeline(meeting, slots) {
  const moments = revealedMoments(meeting);
  const rows = rowsFor(moments.length);
  slots.moments.style.setProperty("--rows", String(rows));
  slots.moments.style.setProperty("--cols", String(Math.max(1, Math.ceil(moments.length / rows))));
  slots.moments.dataset.rows = String(rows);
  slots.empty.hidden = moments.length > 0;
  keyedList(slots.moments, moments, (m) => m.id, (m, prev) => momentNode(meeting, m, prev));
  for (const column of /** @type {HTMLElement[]} */ ([...slots.moments.children])) fit(column);
  const themes = orderedThemes(meeting).filter((th) => th.flags.length > 0);
  replace(
    slots.themes,
    ...(themes.length
      ? themes.map((th) =>
          el("li", { class: "w-theme" },
            el("span", { class: "w-theme__label", text: th.label }),
            el("span", { class: "w-theme__count", text: String(th.flags.length) })))
      : [el("li", { class: "w-theme w-theme--empty", i18n: "wall.themes.empty" })]),
  );
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
