/**
 * The live meeting on a phone: the current moment largest, earlier revealed moments below, and
 * what the phase calls for (threads, agreements). State = snapshot + events (shared/state.js).
 * @module participant/live
 */

import { connectMeeting } from "../shared/connection.js";
import { $, announce, connectionIndicator, el, keyedList, partyChip, replace, setText } from "../shared/dom.js";
import { errorMessage, t } from "../shared/i18n.js";
import {
  applyChanges,
  currentMoment,
  latestRevealed,
  orderedThemes,
  partyOf,
  revealedMoments,
} from "../shared/state.js";
import { momentCard } from "./card.js";
import { renderPhaseSections } from "./sections.js";

/** @typedef {import("./session.js").Session} Session */
/** @typedef {import("../shared/state.js").Meeting} Meeting */

/**
 * @param {Session} session
 * @param {{show: (id: string) => void, save: (s: Session) => void,
 *   onGone: (error: {code: string, message: string}) => void, onRefused: () => void}} hooks
 */
export function startLive(session, hooks) {
  /** @type {Meeting | null} */
  let meeting = null;
  let partyId = session.party_id;
  /** @type {Set<string>} */
  const own = new Set();
  /** @type {Map<string, {momentId: string, text: string}>} */
  const pending = new Map();
  /** @type {Map<string, string>} */
  const drafts = new Map();
  /** @type {Map<string, ReturnType<typeof momentCard>>} */
  const cards = new Map();
  let status = "connecting";
  let pendingKey = 0;
  /** @type {string | null} */
  let lastCurrent = null;
  /** The moment someone is writing about when the next one is revealed: it stays put. */
  /** @type {string | null} */
  let held = null;
  const ownFlags = loadOwnFlags(session.token);

  const indicator = connectionIndicator();
  replace($("#connection"), indicator.element);

  /** @type {import("./card.js").CardContext} */
  const ctx = {
    meeting: () => /** @type {Meeting} */ (meeting),
    send: (name, payload) => connection.send(name, payload),
    own,
    partyId,
    drafts,
    ownFlags,
    flagTaken(key) {
      if (key) ownFlags.add(key);
      saveOwnFlags(session.token, ownFlags);
      render();
    },
    formChanged() {
      // Sent or closed: a moment revealed meanwhile may take the place now.
      if (held) queueMicrotask(render);
    },
    pendingFor: (momentId) =>
      [...pending.entries()]
        .filter(([, p]) => p.momentId === momentId)
        .map(([key, p]) => ({ key, text: p.text, waiting: status !== "online" })),
    async addInterpretation(momentId, text) {
      const key = `pending-${++pendingKey}`;
      pending.set(key, { momentId, text });
      render();
      const ack = await connection.send("interpretation.add", { moment_id: momentId, text });
      pending.delete(key);
      if (ack.ok && typeof ack.id === "string") own.add(ack.id);
      render();
      if (ack.ok) {
        announce(t("participant.add.sent"));
        return null;
      }
      const problem = errorMessage(ack.error);
      // The moment vanished meanwhile (hidden again, removed): keep the text in sight anyway.
      if (!cards.has(momentId)) keepRefused(text, problem);
      return problem;
    },
  };

  const connection = connectMeeting({
    token: session.token,
    onSnapshot(snapshot) {
      meeting = snapshot.meeting;
      for (const id of snapshot.you?.own ?? []) own.add(id);
      if (snapshot.you?.party_id) partyId = ctx.partyId = snapshot.you.party_id;
      render();
      checkRules();
    },
    onEvent(event) {
      if (!meeting) return;
      applyChanges(meeting, event.changes);
      if (event.type === "moment.revealed") revealed();
      render();
      checkRules();
    },
    onDeleted: hooks.onGone,
    onRefused: hooks.onRefused,
    onStatus(next) {
      status = next;
      indicator.update(next, connection?.pending());
      if (meeting) render();
    },
    onQueue(count) {
      indicator.update(status, count);
    },
  });

  /** The ground rules this phone accepted are the current ones, or they are shown (again). */
  function checkRules() {
    if (!meeting) return;
    const version = meeting.ground_rules_version ?? 1;
    if (session.rules_ok && session.rules_version === version) {
      if (document.body.dataset.screen !== "screen-live") hooks.show("screen-live");
      return;
    }
    if (document.body.dataset.screen === "screen-rules") return;
    showRules(Boolean(session.rules_version));
  }

  /** @param {boolean} changed the phone accepted an earlier version */
  function showRules(changed) {
    hooks.show("screen-rules");
    $("#rules-changed").hidden = !changed;
    const accept = /** @type {HTMLButtonElement} */ ($("#rules-accept"));
    accept.onclick = async () => {
      if (!meeting) return;
      const version = meeting.ground_rules_version ?? 1;
      accept.disabled = true;
      const ack = await connection.send("ground_rules.accept", { version });
      accept.disabled = false;
      if (!ack.ok) {
        // Changed again meanwhile: the list on screen is the new one already; read and accept.
        announce(errorMessage(ack.error));
        return;
      }
      session.rules_ok = true;
      session.rules_version = version;
      hooks.save(session);
      hooks.show("screen-live");
      $("#current-title").focus();
    };
    accept.focus();
  }

  function revealed() {
    const moment = meeting && currentMoment(meeting);
    if (!moment) return;
    announce(t("participant.revealed", { text: moment.text }));
  }

  /** @param {string} id */
  function cardFor(id) {
    let card = cards.get(id);
    if (!card) {
      card = momentCard(ctx, id);
      cards.set(id, card);
    }
    return card;
  }

  function render() {
    if (!meeting) return;
    const m = meeting;
    setText($("#meeting-title"), m.title);
    replace($("#party-chip"), partyChip(partyOf(m, partyId)));
    setText($("#phase"), t("participant.phase", { phase: t(`phase.${m.phase}`) }));
    document.body.dataset.phase = m.phase;
    // Rebuilt only when they changed: a reveal should cost the phone as little as possible.
    const rulesKey = JSON.stringify(m.ground_rules);
    if ($("#rules-list").dataset.key !== rulesKey) {
      $("#rules-list").dataset.key = rulesKey;
      replace($("#rules-list"), ...m.ground_rules.map((rule) => el("li", { text: rule })));
      replace($("#rules-again"), ...m.ground_rules.map((rule) => el("li", { text: rule })));
    }
    const labels = orderedThemes(m).map((th) => th.label);
    if ($("#theme-labels").dataset.key !== JSON.stringify(labels)) {
      $("#theme-labels").dataset.key = JSON.stringify(labels);
      replace($("#theme-labels"), ...labels.map((label) => el("option", { attrs: { value: label } })));
    }
    renderNotice(m);
    renderPhaseSections($("#live-top"), m, ctx);

    const shown = revealedMoments(m);
    const visible = new Set(shown.map((mo) => mo.id));
    for (const id of [...cards.keys()]) if (!visible.has(id)) cards.delete(id);
    const current = currentMoment(m) ?? latestRevealed(m);
    const slot = $("#current-slot");
    // Someone is typing under the moment that was current: keep it (focus, keyboard, text and
    // place) and announce the new one above, until they send, close, or choose to look.
    const typingCard =
      lastCurrent && current && lastCurrent !== current.id && visible.has(lastCurrent) ? cards.get(lastCurrent) : null;
    held = typingCard?.busy() ? lastCurrent : null;
    renderHeldNotice(held && current ? current : null);
    if (held && current) {
      cardFor(held).update(true);
    } else if (current) {
      const card = cardFor(current.id);
      card.update(true);
      if (slot.firstElementChild !== card.root) replace(slot, card.root);
      if (lastCurrent !== null && lastCurrent !== current.id) flash(card.root);
      lastCurrent = current.id;
    } else {
      replace(
        slot,
        el("p", {
          class: "p-waiting",
          i18n: m.phase === "preparation" ? "participant.waiting.start" : "participant.waiting.moment",
        }),
      );
      lastCurrent = null;
    }
    const earlier = shown.filter((mo) => mo.id !== current?.id && mo.id !== held).reverse();
    $("#earlier").hidden = earlier.length === 0;
    keyedList(
      $("#earlier-list"),
      earlier,
      (mo) => mo.id,
      (mo) => {
        const card = cardFor(mo.id);
        card.update(false);
        return card.root;
      },
    );
  }

  /**
   * The banner that says a new moment is up while the phone keeps the one being written about.
   * It floats over the header, so nothing under the text field moves.
   * @param {import("../shared/state.js").Moment | null} moment
   */
  function renderHeldNotice(moment) {
    const box = $("#held-notice");
    box.hidden = !moment;
    if (!moment) return;
    if (box.dataset.momentId === moment.id) return;
    box.dataset.momentId = moment.id;
    const look = el("button", {
      class: "button button--small",
      attrs: { type: "button" },
      i18n: "participant.held.look",
    });
    // Looking keeps the half-typed text (drafts) for when they come back to that moment.
    look.addEventListener("mousedown", (event) => event.preventDefault());
    look.addEventListener("click", () => {
      const area = held ? cards.get(held)?.root.querySelector("textarea") : null;
      if (area instanceof HTMLTextAreaElement && held) drafts.set(held, area.value);
      if (area instanceof HTMLTextAreaElement) area.blur();
      lastCurrent = null;
      held = null;
      box.dataset.momentId = "";
      render();
      $("#current-title").scrollIntoView({ block: "start" });
    });
    replace(box, el("p", { class: "held-notice__text", text: t("participant.held.new", { text: moment.text }) }), look);
  }

  /** @param {Meeting} m */
  function renderNotice(m) {
    const slot = $("#live-notice");
    const key = m.phase === "closed" ? "participant.closed" : null;
    if (key && slot.dataset.key !== key) {
      replace(slot, el("p", { class: "notice", i18n: key }));
    } else if (!key) {
      replace(slot);
    }
    slot.dataset.key = key ?? "";
  }

  /** @param {string} text @param {string} problem */
  function keepRefused(text, problem) {
    const box = el(
      "div",
      { class: "notice notice--error p-refused", attrs: { role: "alert" } },
      el("p", { text: problem }),
      el("p", { i18n: "participant.refused.keep" }),
      el("blockquote", { class: "p-refused__text", text }),
    );
    const close = el("button", {
      class: "button button--small",
      attrs: { type: "button" },
      i18n: "participant.refused.close",
    });
    close.addEventListener("click", () => box.remove());
    box.append(close);
    $("#refused").append(box);
  }

  /** @param {HTMLElement} node */
  function flash(node) {
    node.classList.remove("moment-card--new");
    void node.offsetWidth; // restart the animation
    node.classList.add("moment-card--new");
  }

  keepFormAboveKeyboard();

  window.addEventListener("languagechange", () => {
    indicator.update(status);
    // Labels built with t() at creation are rebuilt: drop cards (drafts are kept) and redraw.
    for (const [id, card] of cards) {
      const area = card.root.querySelector("textarea");
      if (area instanceof HTMLTextAreaElement && area.value) drafts.set(id, area.value);
    }
    cards.clear();
    render();
  });

  return connection;
}

/** @param {string} token */
function flagsKey(token) {
  // Per device and meeting; the token itself is not repeated in the key.
  let hash = 0;
  for (const ch of token) hash = (hash * 31 + ch.charCodeAt(0)) | 0;
  return `tijdlijn.flags.${hash}`;
}

/** @param {string} token @returns {Set<string>} */
function loadOwnFlags(token) {
  try {
    return new Set(JSON.parse(sessionStorage.getItem(flagsKey(token)) ?? "[]"));
  } catch {
    return new Set();
  }
}

/** @param {string} token @param {Set<string>} flags */
function saveOwnFlags(token, flags) {
  try {
    sessionStorage.setItem(flagsKey(token), JSON.stringify([...flags]));
  } catch {
    /* storage disabled: the undo lasts until reload */
  }
}

/**
 * With the on-screen keyboard open, keep the field's send button in the part of the screen that
 * is still visible (the visual viewport), and let the header scroll away while typing.
 */
function keepFormAboveKeyboard() {
  const viewport = window.visualViewport;
  const fit = () => {
    const active = document.activeElement;
    const typing =
      active instanceof HTMLTextAreaElement || (active instanceof HTMLInputElement && active.type === "text");
    document.body.classList.toggle("p-typing", typing);
    if (!typing) return;
    const buttons = active.closest(".inline-form")?.querySelector(".inline-form__buttons");
    if (!buttons) return;
    const top = viewport ? viewport.offsetTop : 0;
    const bottom = top + (viewport ? viewport.height : innerHeight);
    const box = buttons.getBoundingClientRect();
    const field = active.getBoundingClientRect();
    if (box.bottom > bottom - 8) window.scrollBy(0, Math.min(box.bottom - bottom + 8, field.top - top - 8));
  };
  viewport?.addEventListener("resize", fit);
  document.addEventListener("focusin", () => requestAnimationFrame(fit));
  document.addEventListener("focusout", () => requestAnimationFrame(fit));
  document.addEventListener("input", fit);
}
