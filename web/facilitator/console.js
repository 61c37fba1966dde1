/**
 * The console: one live connection, the meeting state, and the panels that render it.
 * @module facilitator/console
 */

import { connectMeeting } from "../shared/connection.js";
import { connectionIndicator } from "../shared/dom.js";
import { errorMessage, t } from "../shared/i18n.js";
import { applyChanges, orderedParties } from "../shared/state.js";
import { TAB_FOR_PHASE } from "./agenda.js";
import * as finish from "./finish.js";
import * as outcomes from "./outcomes.js";
import * as prepare from "./prepare.js";
import * as run from "./run.js";
import { hideSecrets as hideIntakeLinks } from "./intake.js";
import * as present from "./present.js";
import * as share from "./share.js";
import * as shortcuts from "./shortcuts.js";
import * as stepper from "./stepper.js";
import * as themes from "./themes.js";
import * as threads from "./threads.js";
import { byId, el, keepingFocus, partyChip, toast } from "./ui.js";
import { forget, keeper, meetingOf, restore } from "./keep.js";
import { renderLifetime } from "./lifetime.js";
import { httpError, postForFile, saveBlob } from "../shared/http.js";

const TAB_KEY = "tijdlijn.facilitator.tab";
const TABS = ["prepare", "share", "run", "themes", "threads", "agreements", "finish"];
/** @type {Record<string, {render: (ctx: Ctx) => void, setup?: (ctx: Ctx) => void}>} */
const PANELS = { prepare, share, run, themes, threads, agreements: outcomes, finish };

/** @typedef {import("../shared/state.js").Meeting} Meeting */
/** @typedef {import("../shared/connection.js").Ack} Ack */
/** @typedef {import("./end.js").Receipt} Receipt */
/** @typedef {NonNullable<import("../shared/connection.js").Snapshot["share"]>} Share */

/**
 * What every panel of the console is given: the meeting as it is now and the ways to act on it.
 * @typedef {object} Ctx
 * @property {string} token the facilitator token (sent in headers, never in a URL)
 * @property {Meeting} meeting as of the last event; panels render only after the first snapshot
 * @property {Share} share the links and code of the sharing tab
 * @property {Record<string, number>} presence devices connected, per role
 * @property {number} skew server clock minus this clock, in seconds
 * @property {boolean} ending true while our own "end and delete" is under way
 * @property {() => number} now the server's clock, in seconds
 * @property {(name: string, payload?: Record<string, unknown>) => Promise<Ack>} send
 * @property {() => void} render
 * @property {(tab: string) => void} showTab
 * @property {() => void} hideSecrets
 * @property {(reason: string) => void} gone
 * @property {(receipt: Receipt) => void} deleted
 */

/**
 * Connect with ``token`` and run the console. ``onGone(reason)`` is called when the meeting no
 * longer exists or the link is not valid; ``onReceipt(receipt)`` after "end and delete".
 */
/**
 * @param {string} token
 * @param {{onGone: (reason: string) => void, onReceipt: (receipt: Receipt) => void}} handlers
 */
export function startConsole(token, { onGone, onReceipt }) {
  const indicator = connectionIndicator();
  byId("connection").replaceChildren(indicator.element);

  let pendingRender = false;
  /** @type {string | null} */
  let tab = null;
  let finished = false;
  // Set by connectMeeting below, before any of the callbacks that use it can run.
  /** @type {import("../shared/connection.js").MeetingConnection | null} */
  let connection = null;
  const live = () => {
    if (!connection) throw new Error("console: used before connectMeeting returned");
    return connection;
  };
  /** @type {number | null} */
  let expiresAt = null;
  const keeping = keeper(
    token,
    () => live().request("capsule"),
    (at) => {
      expiresAt = at;
      scheduleRender();
    },
  );

  /** @type {Ctx} */
  const ctx = {
    token,
    meeting: /** @type {Meeting} */ (/** @type {unknown} */ (null)),
    share: {},
    presence: {},
    skew: 0,
    ending: false,
    /** The server's clock, in seconds (timers compare with server timestamps). */
    now() {
      return Date.now() / 1000 + ctx.skew;
    },
    /** Send a write; an error is shown to the facilitator and returned in the ack. */
    async send(name, payload) {
      const ack = await live().send(name, payload);
      if (!ack.ok && ack.error?.code !== "meeting_gone") toast(errorMessage(ack.error), "error");
      return ack;
    },
    render: scheduleRender,
    showTab,
    hideSecrets,
    gone(reason) {
      if (finished) return;
      finished = true;
      keeping.stop();
      live().close();
      // An ended meeting never comes back; an expired one may, from the copy kept here.
      if (reason !== "expired") void forget(meetingOf(token));
      onGone(reason);
    },
    deleted(receipt) {
      finished = true;
      keeping.stop();
      live().close();
      void forget(meetingOf(token));
      onReceipt(receipt);
    },
  };

  connection = connectMeeting({
    token,
    onSnapshot(snapshot) {
      ctx.meeting = snapshot.meeting;
      ctx.share = snapshot.share || {};
      if (!tab) showTab(initialTab(ctx.meeting.phase));
      keeping.changed();
      scheduleRender();
    },
    onEvent(event) {
      if (!ctx.meeting) return;
      applyChanges(ctx.meeting, event.changes);
      if (typeof event.at === "number") ctx.skew = event.at - Date.now() / 1000;
      keeping.changed();
      scheduleRender();
    },
    onPresence(presence) {
      ctx.presence = presence?.counts || {};
      // A device joined or left: a new participant's access belongs in the restore copy too.
      keeping.changed();
      renderPresence(ctx);
    },
    onDeleted(error) {
      // During our own "end and delete" the receipt is on its way; the end module shows it.
      if (!ctx.ending) ctx.gone(error?.code === "meeting_expired" ? "expired" : "deleted");
    },
    onLost() {
      // The server lost the meeting: give it back the copy kept in this browser.
      void restoreLost();
    },
    onRefused(error) {
      ctx.gone(error?.code === "meeting_gone" ? "deleted" : "unauthorized");
    },
    onStatus(status) {
      indicator.update(status);
      byId("view-console").dataset.status = status;
    },
    onQueue(pending) {
      indicator.update(connection ? connection.status() : "connecting", pending);
    },
  });

  let restoring = false;
  let toldNone = false;
  async function restoreLost() {
    if (restoring) return;
    restoring = true;
    const outcome = await restore(token).finally(() => {
      restoring = false;
    });
    if (outcome === "restored") {
      toast(t("restore.done"));
      live().retryNow();
    } else if (outcome === "none") {
      if (!toldNone) toast(t("restore.none"), "error");
      toldNone = true;
    } else if (outcome === "conflict") {
      live().retryNow(); // restored meanwhile (another console, or another process)
    } else if (outcome !== "offline" && outcome !== "unavailable") {
      toast(t("restore.failed"), "error");
    }
  }

  function exportNow() {
    postForFile("/api/export", {}, token)
      .then(({ blob, filename }) => saveBlob(blob, filename || "voorbereide-bijeenkomst.json"))
      .catch((error) => toast(errorMessage(httpError(error)), "error"));
  }

  for (const module of Object.values(PANELS)) module.setup?.(ctx);
  stepper.setup(ctx);
  shortcuts.setup(ctx);
  present.setup(ctx);
  setupTabs();
  window.addEventListener("languagechange", () => {
    renderNow();
    renderPresence(ctx);
  });

  function initialTab(/** @type {string} */ phase) {
    let remembered = "";
    try {
      remembered = sessionStorage.getItem(TAB_KEY) ?? "";
    } catch {
      // no sessionStorage: start from the phase
    }
    return TABS.includes(remembered) ? remembered : TAB_FOR_PHASE[phase] || "prepare";
  }

  function scheduleRender() {
    if (pendingRender) return;
    pendingRender = true;
    queueMicrotask(renderNow);
  }

  function renderNow() {
    pendingRender = false;
    if (!ctx.meeting || finished) return;
    keepingFocus(() => {
      renderHeader(ctx);
      renderLifetime(byId("lifetime"), ctx, expiresAt, exportNow);
      renderPresence(ctx);
      stepper.render(ctx);
      if (tab) PANELS[tab].render(ctx);
    });
  }

  function setupTabs() {
    const list = byId("tabs");
    list.addEventListener("click", (event) => {
      const target = event.target instanceof Element ? event.target.closest('[role="tab"]') : null;
      if (!(target instanceof HTMLElement) || !target.dataset.tab) return;
      showTab(target.dataset.tab);
      // Chosen with the mouse: focus goes to the panel, so a clicker's arrow keys reveal moments
      // instead of switching tabs (from the keyboard, focus stays on the tab as usual).
      if (event.detail > 0) byId(`panel-${tab}`).focus({ preventScroll: true });
    });
    // Arrow keys move between tabs (the WAI-ARIA tabs pattern); Tab goes into the panel.
    list.addEventListener("keydown", (event) => {
      const index = TABS.indexOf(/** @type {HTMLElement | null} */ (document.activeElement)?.dataset?.tab ?? "");
      if (index < 0) return;
      let next = null;
      if (event.key === "ArrowRight") next = (index + 1) % TABS.length;
      else if (event.key === "ArrowLeft") next = (index - 1 + TABS.length) % TABS.length;
      else if (event.key === "Home") next = 0;
      else if (event.key === "End") next = TABS.length - 1;
      if (next === null) return;
      event.preventDefault();
      showTab(TABS[next]);
      byId(`tab-${TABS[next]}`).focus();
    });
  }

  /** Every link shown in clear is masked again: leaving a tab, or starting to present. */
  function hideSecrets() {
    share.hideSecrets();
    hideIntakeLinks();
  }

  function showTab(/** @type {string} */ name) {
    if (!TABS.includes(name)) return;
    // While presenting there is no sharing tab to go to.
    if (name === "share" && document.body.classList.contains("presenting")) name = "run";
    if (tab !== name) hideSecrets();
    tab = name;
    try {
      sessionStorage.setItem(TAB_KEY, name);
    } catch {
      // no storage: the tab is not remembered, nothing else changes
    }
    for (const other of TABS) {
      const selected = other === name;
      const button = byId(`tab-${other}`);
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
      byId(`panel-${other}`).hidden = !selected;
    }
    scheduleRender();
  }

  return ctx;
}

function renderHeader(/** @type {import("./console.js").Ctx} */ ctx) {
  const m = ctx.meeting;
  byId("topbar-meeting").hidden = false;
  byId("meeting-title").textContent = m.title;
  byId("meeting-initials").textContent = m.initials ? t("header.case", { initials: m.initials }) : "";
  byId("meeting-kind").textContent = m.kind === "follow_up" ? t("header.follow_up") : "";
  document.title = `${m.title} · ${t("page.title")}`;
}

function renderPresence(/** @type {import("./console.js").Ctx} */ ctx) {
  const box = byId("presence");
  if (!ctx.meeting) return;
  const counts = ctx.presence || {};
  const items = [];
  for (const party of orderedParties(ctx.meeting)) {
    const n = counts[party.id] || 0;
    items.push(el("li", {}, partyChip(party), el("span", { class: "presence-count", text: ` ${n}` })));
  }
  for (const role of ["facilitator", "wall"]) {
    items.push(el("li", {}, el("span", { text: t(`presence.${role}`, { count: counts[role] || 0 }) })));
  }
  box.replaceChildren(
    el("span", { class: "presence-label", text: t("presence.label") }),
    el("ul", { class: "presence-list" }, ...items),
  );
}
