/**
 * The wall screen (/wall#<token>): no controls; follows the facilitator's phase on its own.
 * @module wall/main
 */
import { tabGet, tabSet } from "../shared/tab_store.js";
import { connectMeeting } from "../shared/connection.js";
import { $, connectionIndicator, el, replace, setText } from "../shared/dom.js";
import { loadCatalogues, t, translateDom } from "../shared/i18n.js";
import { applyChanges, currentMoment } from "../shared/state.js";
import { renderAgreements, renderTriangle } from "./boards.js";
import { turnLists } from "./pages.js";
import { highlight, renderTimeline, turnPage } from "./timeline.js";

const KEY = "tijdlijn.wall";
const VIEWS = ["view-intro", "view-timeline", "view-reflection", "view-agreements", "view-message"];
/** @type {Record<string, string>} */
const VIEW_OF_PHASE = {
  preparation: "view-intro",
  introduction: "view-intro",
  timeline: "view-timeline",
  reflection: "view-reflection",
  agreements: "view-agreements",
  closed: "view-agreements",
};

/** @param {string} id */
function show(id) {
  for (const view of VIEWS) $(`#${view}`).hidden = view !== id;
  document.body.dataset.view = id.replace("view-", "");
}

/** @param {string} titleKey @param {string} textKey */
function message(titleKey, textKey) {
  $("#message-title").setAttribute("data-i18n", titleKey);
  $("#message-text").setAttribute("data-i18n", textKey);
  translateDom($("#view-message"));
  show("view-message");
}

/** The token: from the fragment the facilitator's link carries, then kept for reloads. */
function takeToken() {
  const fromUrl = location.hash.slice(1);
  if (fromUrl) {
    tabSet(KEY, fromUrl);
    history.replaceState(null, "", location.pathname + location.search);
    return fromUrl;
  }
  return tabGet(KEY);
}

// The console's wall link carries the console's language (?lang=en); a reload keeps it.
await loadCatalogues("wall", new URLSearchParams(location.search).get("lang"));
translateDom(document);

const token = takeToken();
/** @type {import("../shared/state.js").Meeting | null} */
let meeting = null;
/** @type {string | null} */
let joinCode = null;

function render() {
  if (!meeting) return;
  const m = meeting;
  setText($("#meeting-title"), m.title);
  setText($("#meeting-initials"), m.initials ? t("wall.initials", { initials: m.initials }) : "");
  setText($("#phase"), t(`phase.${m.phase}`));
  document.body.dataset.phase = m.phase;
  const view = VIEW_OF_PHASE[m.phase] ?? "view-timeline";
  show(view);
  // The page count of earlier moments belongs to the timeline only.
  if (view !== "view-timeline") $("#pager").classList.add("w-pager--idle");
  if (view === "view-intro") renderIntro(m);
  else if (view === "view-timeline") renderTimeline(m, timelineSlots());
  else if (view === "view-reflection") renderTriangle(m, $("#triangle"));
  else {
    renderAgreements(m, {
      agreements: $("#agreements"),
      lessons: $("#lessons"),
      agreementsPages: $("#agreements-pages"),
      lessonsPages: $("#lessons-pages"),
    });
  }
}

function timelineSlots() {
  return {
    moments: $("#view-timeline"),
    current: $("#current"),
    earlier: $("#earlier"),
    probe: $("#probe"),
    pager: $("#pager"),
    stage: $("#stage"),
    themes: $("#themes"),
    empty: $("#timeline-empty"),
  };
}

/** @param {import("../shared/state.js").Meeting} m */
function renderIntro(m) {
  const rules = $("#intro-rules");
  replace(rules, ...m.ground_rules.map((rule) => el("li", { text: rule })));
  // Up to 15 rules may be set: smaller type for a long list, so it still fits the screen.
  rules.dataset.size = m.ground_rules.length > 10 ? "small" : m.ground_rules.length > 6 ? "medium" : "";
  const qr = /** @type {HTMLImageElement} */ ($("#join-qr"));
  $("#intro-join").hidden = !joinCode;
  if (joinCode) {
    const src = `/api/join/${encodeURIComponent(joinCode)}/qr.svg`;
    if (qr.getAttribute("src") !== src) qr.src = src;
    qr.hidden = false;
    setText($("#join-how"), t("wall.join.how", { url: `${location.host}/join` }));
    setText($("#join-code"), joinCode.replace(/^(...)(...)$/, "$1 $2"));
  }
}

if (!token) {
  message("wall.no_token.title", "wall.no_token.text");
} else {
  const indicator = connectionIndicator();
  replace($("#connection"), indicator.element);
  connectMeeting({
    token,
    onSnapshot(snapshot) {
      meeting = snapshot.meeting;
      const share = /** @type {{join_code?: string} | undefined} */ (snapshot.share ?? snapshot.share_public);
      joinCode = share?.join_code ?? joinCode;
      render();
    },
    onEvent(event) {
      if (!meeting) return;
      applyChanges(meeting, event.changes);
      render();
      const current = currentMoment(meeting);
      if (event.type === "moment.revealed" && current) highlight($("#view-timeline"), current.id);
    },
    onDeleted(error) {
      tabSet(KEY, null);
      replace($("#connection"));
      if (error?.code === "meeting_expired") message("gone.expired_title", "gone.expired_text");
      else message("gone.title", "gone.text");
    },
    onRefused() {
      message("refused.title", "refused.text");
    },
    onStatus(status) {
      indicator.update(status);
    },
  });
  addEventListener("resize", render);
  // Someone at the wall's laptop (or a clicker) may turn the pages of earlier moments by hand.
  addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const step = ["ArrowRight", "PageDown", " "].includes(event.key)
      ? 1
      : ["ArrowLeft", "PageUp"].includes(event.key)
        ? -1
        : 0;
    if (!step) return;
    if (document.body.dataset.view === "agreements") turnLists(step);
    else turnPage(step);
    event.preventDefault();
  });
  addEventListener("languagechange", render);
}
