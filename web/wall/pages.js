/**
 * Lists on the wall that may outgrow the screen (working agreements, lessons): the type shrinks
 * to a legible minimum first; what still does not fit is shown a page at a time, turned every
 * few seconds. Nothing is cut or left out.
 * @module wall/pages
 */

import { setText } from "../shared/dom.js";
import { t } from "../shared/i18n.js";

/** [text, details] sizes in px, largest first; the last is the 5 m minimum. */
const LEVELS = [
  [28, 22],
  [26, 21],
  [24, 20],
  [22, 20],
  [20, 20],
];
const TURN_SECONDS = 12;

/** @type {Map<HTMLElement, {pages: HTMLElement[][], page: number}>} */
const lists = new Map();
/** @type {ReturnType<typeof setInterval> | null} */
let timer = null;

/** @param {HTMLElement} column */
const overflows = (column) => column.scrollHeight > column.clientHeight + 1;

/**
 * Fit one list in its column (the list's parent, which has a fixed height).
 * @param {HTMLElement} list
 * @param {HTMLElement} marker where "1/2" is written when the list has pages
 */
export function fitList(list, marker) {
  const column = /** @type {HTMLElement} */ (list.parentElement);
  const items = /** @type {HTMLElement[]} */ ([...list.children]);
  for (const item of items) item.hidden = false;
  for (const [text, details] of LEVELS) {
    column.style.setProperty("--list-size", `${text}px`);
    column.style.setProperty("--list-detail-size", `${details}px`);
    if (!overflows(column)) break;
  }
  /** @type {HTMLElement[][]} */
  const pages = [];
  if (overflows(column)) {
    // Pages it is, so no need for the smallest type: a size that reads well from afar, and the
    // page marker's line kept free while measuring.
    column.style.setProperty("--list-size", `${LEVELS[2][0]}px`);
    column.style.setProperty("--list-detail-size", `${LEVELS[2][1]}px`);
    setText(marker, "…");
    // Greedy pages: show items one by one and start a new page when the column is full.
    for (const item of items) item.hidden = true;
    let page = /** @type {HTMLElement[]} */ ([]);
    for (const item of items) {
      item.hidden = false;
      if (page.length && overflows(column)) {
        for (const shown of page) shown.hidden = true;
        pages.push(page);
        page = [];
      }
      page.push(item);
    }
    pages.push(page);
    for (const item of items) item.hidden = true;
  }
  const previous = lists.get(list);
  lists.set(list, { pages, page: previous ? previous.page % Math.max(1, pages.length) : 0 });
  show(list, marker);
  timer ??= setInterval(() => turnLists(1), TURN_SECONDS * 1000);
}

/** Turn every list that has pages (the timer, or someone at the wall with a clicker). */
export function turnLists(step = 1) {
  for (const [each, state] of lists) {
    if (!each.isConnected || state.pages.length < 2) continue;
    state.page = (state.page + step + state.pages.length) % state.pages.length;
    show(each, /** @type {HTMLElement} */ (each.parentElement?.querySelector(".w-pages")));
  }
}

/** @param {HTMLElement} list @param {HTMLElement | null} marker */
function show(list, marker) {
  const state = lists.get(list);
  if (!state) return;
  if (state.pages.length > 1) {
    for (const item of /** @type {HTMLElement[]} */ ([...list.children])) item.hidden = true;
    for (const item of state.pages[state.page]) item.hidden = false;
  }
  list.dataset.page = String(state.page);
  list.dataset.pages = String(Math.max(1, state.pages.length));
  if (marker)
    setText(
      marker,
      state.pages.length > 1 ? t("wall.list_pages", { page: state.page + 1, pages: state.pages.length }) : "",
    );
}
