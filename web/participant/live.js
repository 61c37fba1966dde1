/**
 * The live meeting on a phone: the current moment largest, earlier revealed moments below, and
 * what the phase calls for (threads, agreements). State = snapshot + events (shared/state.js).
 * @module participant/live
 */

import { connectMeeting } from "../shared/connection.js";
import { $, announce, connectionIndicator, el, keyedList, partyChip, replace, setText } from "../shared/dom.js";
import { errorMessage, t } from "../shared/i18n.js";
import { applyChanges, currentMoment, latestRevealed, orderedThemes, partyOf, revealedMoments } from "../shared/state.js";
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

  const indicator = connectionIndicator();
  replace($("#connection"), indicator.element);

  /** @type {import("./card.js").CardContext} */
  const ctx = {
    meeting: () => /** @type {Meeting} */ (meeting),
    send: (name, payload) => connection.send(name, payload),
    own,
    partyId,
    drafts,
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
      if (session.rules_ok) hooks.show("screen-live");
      else showRules();
      render();
    },
    onEvent(event) {
      if (!meeting) return;
      applyChanges(meeting, event.changes);
      if (event.type === "moment.revealed") revealed();
      render();
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

  function showRules() {
    hooks.show("screen-rules");
    const accept = $("#rules-accept");
    accept.onclick = () => {
      session.rules_ok = true;
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
    const rules = m.ground_rules.map((rule) => el("li", { text: rule }));
    replace($("#rules-list"), ...rules);
    replace($("#rules-again"), ...m.ground_rules.map((rule) => el("li", { text: rule })));
    replace($("#theme-labels"), ...orderedThemes(m).map((th) => el("option", { attrs: { value: th.label } })));
    renderNotice(m);
    renderPhaseSections($("#live-top"), m, ctx);

    const shown = revealedMoments(m);
    const visible = new Set(shown.map((mo) => mo.id));
    for (const id of [...cards.keys()]) if (!visible.has(id)) cards.delete(id);
    const current = currentMoment(m) ?? latestRevealed(m);
    const slot = $("#current-slot");
    if (current) {
      const card = cardFor(current.id);
      card.update(true);
      if (slot.firstElementChild !== card.root) replace(slot, card.root);
      if (lastCurrent !== null && lastCurrent !== current.id) flash(card.root);
      lastCurrent = current.id;
    } else {
      replace(slot, el("p", { class: "p-waiting", i18n: m.phase === "preparation" ? "participant.waiting.start" : "participant.waiting.moment" }));
      lastCurrent = null;
    }
    const earlier = shown.filter((mo) => mo.id !== current?.id).reverse();
    $("#earlier").hidden = earlier.length === 0;
    keyedList($("#earlier-list"), earlier, (mo) => mo.id, (mo) => {
      const card = cardFor(mo.id);
      card.update(false);
      return card.root;
    });
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
    const close = el("button", { class: "button button--small", attrs: { type: "button" }, i18n: "participant.refused.close" });
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
