/**
 * One card on the wall's timeline: a moment's text with some or all of its interpretations,
 * each in full, in the party's colour and with the party's name. A moment too long for one
 * column is shown as several cards ("vervolg"), never cut.
 * @module wall/cards
 */

import { absentMarker } from "../shared/absent.js";
import { el, paintParty } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { partyOf, themesOn } from "../shared/state.js";

/** @typedef {import("../shared/state.js").Meeting} Meeting */
/** @typedef {import("../shared/state.js").Moment} Moment */
/** @typedef {import("../shared/state.js").Interpretation} Interpretation */
/**
 * @typedef {{moment: Moment, items: Interpretation[], part: number, parts: number}} Card
 * part and parts count from 1: "vervolg 2/3" when a moment needs more than one card.
 */

/**
 * @param {Meeting} meeting
 * @param {Interpretation} item
 */
function interpretationNode(meeting, item) {
  const party = partyOf(meeting, item.party_id);
  // An absent party's prepared words are marked "vooraf aangeleverd" (issue 9).
  const beforehand = absentMarker(meeting, item);
  const node = el(
    "li",
    { class: "w-interp", data: { interpretationId: item.id, partyId: item.party_id } },
    el(
      "span",
      { class: "w-interp__party", text: party?.name ?? t("party.none") },
      beforehand ? " · " : null,
      beforehand,
    ),
    " ",
    el("span", { class: "w-interp__text", text: item.text }),
  );
  paintParty(node, party);
  return node;
}

/**
 * The element for a card. The moment text and its themes are repeated on every part, so a
 * continued card still says what it is about.
 * @param {Meeting} meeting
 * @param {Card} card
 * @param {"current" | "previous" | "earlier"} role
 */
export function cardNode(meeting, card, role) {
  const { moment } = card;
  const themes = themesOn(meeting, "moment", moment.id);
  return el(
    "li",
    {
      class: ["w-moment", `w-moment--${role}`, meeting.current_moment_id === moment.id ? "w-moment--current" : ""],
      data: { momentId: moment.id, part: String(card.part), parts: String(card.parts) },
    },
    el(
      "div",
      { class: "w-moment__head" },
      role === "current" ? el("p", { class: "w-moment__role", i18n: "wall.current" }) : null,
      role === "previous" ? el("p", { class: "w-moment__role", i18n: "wall.previous" }) : null,
      moment.when ? el("p", { class: "w-moment__when", text: moment.when }) : null,
      el("p", { class: "w-moment__text", text: moment.text }),
      themes.length
        ? el(
            "ul",
            { class: "w-moment__themes" },
            ...themes.map((th) => el("li", { class: "w-tag", text: `# ${th.label}` })),
          )
        : null,
    ),
    card.parts > 1
      ? el("p", { class: "w-moment__part", text: t("wall.part", { part: card.part, parts: card.parts }) })
      : null,
    el("ul", { class: "w-interps" }, ...card.items.map((item) => interpretationNode(meeting, item))),
  );
}

/**
 * Whether an element's content fits its box (nothing scrolled away, nothing overflowing).
 * @param {HTMLElement} node
 */
export function fits(node) {
  return node.scrollHeight <= node.clientHeight + 1 && node.scrollWidth <= node.clientWidth + 1;
}

/**
 * Split a moment into as few cards as fit a column, keeping every interpretation whole. Cards
 * are tried in `probe` (an empty list element sized like a real column).
 * @param {Meeting} meeting
 * @param {Moment} moment
 * @param {Interpretation[]} items
 * @param {HTMLElement} probe
 * @param {"current" | "previous" | "earlier"} role
 * @returns {Card[]}
 */
export function splitIntoCards(meeting, moment, items, probe, role) {
  /** @param {Interpretation[]} slice */
  const fitsWith = (slice) => {
    probe.replaceChildren(cardNode(meeting, { moment, items: slice, part: 2, parts: 2 }, role));
    return fits(/** @type {HTMLElement} */ (probe.firstElementChild));
  };
  probe.replaceChildren(cardNode(meeting, { moment, items, part: 1, parts: 1 }, role));
  const whole = fits(/** @type {HTMLElement} */ (probe.firstElementChild));
  if (whole) return [{ moment, items, part: 1, parts: 1 }];
  /** @type {Interpretation[][]} */
  const slices = [];
  let slice = /** @type {Interpretation[]} */ ([]);
  for (const item of items) {
    // An interpretation that does not fit even alone still gets a card of its own.
    if (slice.length && !fitsWith([...slice, item])) {
      slices.push(slice);
      slice = [];
    }
    slice.push(item);
  }
  if (slice.length || !slices.length) slices.push(slice);
  return slices.map((s, i) => ({ moment, items: s, part: i + 1, parts: slices.length }));
}
