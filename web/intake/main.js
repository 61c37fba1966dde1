/**
 * The intake page (/intake#<token>): one party adds its defining moments and how it experienced
 * them, before the meeting. It sees only its own party's entries; the facilitator sees all of
 * them. The token is moved from the address bar into sessionStorage at once.
 * @module intake/main
 */

import { io } from "../vendor/socket.io-client-4.8.1/socket.io.esm.min.js";
import { newOpId } from "../shared/connection.js";
import { $, connectionIndicator, el, paintParty, partyChip, replace, setText } from "../shared/dom.js";
import { errorMessage, languagePicker, loadCatalogues, t, translateDom } from "../shared/i18n.js";
import { attachJargonHint, jargonHint } from "../shared/jargon_hint.js";
import { confirmPersonalData } from "../shared/pii_guard.js";
import { tabGet, tabSet } from "../shared/tab_store.js";
import { byWhen } from "../shared/when.js";

/**
 * A text field of the entry form.
 * @param {string} selector
 * @returns {HTMLInputElement | HTMLTextAreaElement}
 */
function $field(selector) {
  return $(selector);
}

const TOKEN_KEY = "tijdlijn.intake.token";
const TOKEN = /^[A-Za-z0-9_-]{16,40}\.[A-Za-z0-9_-]{22,64}$/;

/** @type {any} */
let view = null;
/** @type {string | null} the entry being edited */
let editing = null;
/** @type {import("../vendor/socket.io-client-4.8.1/socket.io.esm.min.js").Socket | null} */
let socket = null;

function storedToken() {
  return tabGet(TOKEN_KEY);
}

function storeToken(/** @type {string | null} */ token) {
  tabSet(TOKEN_KEY, token || null);
}

/** @param {string} titleKey @param {string} text */
function message(titleKey, text) {
  $("#screen-intake").hidden = true;
  $("#loading").hidden = true;
  const title = $("#message-title");
  title.setAttribute("data-i18n", titleKey);
  translateDom($("#screen-message"));
  setText($("#message-text"), text);
  $("#screen-message").hidden = false;
  title.focus();
}

/** @param {string} name @param {Record<string, unknown>} payload */
async function send(name, payload) {
  if (!socket) return { ok: false, error: { code: "closed", message: t("intake.offline") } };
  try {
    return await socket.timeout(10000).emitWithAck(name, { op_id: newOpId(), ...payload });
  } catch {
    return { ok: false, error: { code: "unavailable", message: t("intake.offline") } };
  }
}

async function refresh() {
  const ack = await send("sync", {});
  if (ack.ok && ack.snapshot) show(ack.snapshot.meeting);
}

function show(/** @type {any} */ meeting) {
  view = meeting;
  $("#loading").hidden = true;
  if (meeting.status !== "open") {
    storeToken(null);
    socket?.disconnect();
    message("intake.closed_title", t("intake.closed_text"));
    return;
  }
  $("#screen-intake").hidden = false;
  setText($("#meeting-title"), meeting.title);
  replace($("#party-chip"), partyChip(meeting.party));
  document.title = `${t("intake.title")} · ${meeting.title}`;
  render();
}

function render() {
  const entries = byWhen(Object.values(view.entries));
  setText($("#list-count"), t("intake.count", { count: entries.length }));
  const list = $("#entries");
  if (!entries.length) {
    replace(list, el("li", { class: "i-muted", i18n: "intake.none" }));
    return;
  }
  replace(list, ...entries.map(entryItem));
}

function entryItem(/** @type {any} */ entry) {
  const hint = jargonHint(`${entry.text}\n${entry.experience}`);
  const item = el(
    "li",
    { class: "i-entry", data: { testid: "intake-entry", entryId: entry.id } },
    el("p", { class: "i-entry__when", text: entry.when || t("intake.when_unknown") }),
    el("p", { class: "i-entry__text", text: entry.text }),
    entry.experience ? el("p", { class: "i-entry__experience", text: entry.experience }) : null,
    entry.taken ? el("p", { class: "badge", i18n: "intake.taken" }) : null,
    hint ? el("p", { class: "hint", text: hint }) : null,
  );
  paintParty(item, view.party);
  if (!entry.taken) {
    const edit = el("button", { class: "button button--small", attrs: { type: "button" }, i18n: "intake.edit" });
    edit.addEventListener("click", () => startEdit(entry));
    const remove = el("button", {
      class: "button button--small button--danger",
      attrs: { type: "button" },
      i18n: "intake.remove",
    });
    // Two steps, in the page: the first tap asks, the second removes.
    remove.addEventListener("click", async () => {
      if (remove.dataset.armed !== "1") {
        remove.dataset.armed = "1";
        remove.setAttribute("data-i18n", "intake.remove_confirm");
        remove.textContent = t("intake.remove_confirm");
        return;
      }
      const ack = await send("intake.remove", { id: entry.id });
      if (!ack.ok) showError(ack.error);
    });
    item.append(el("div", { class: "button-row" }, edit, remove));
  }
  return item;
}

function startEdit(/** @type {any} */ entry) {
  editing = entry.id;
  $field("#entry-when").value = entry.when;
  $field("#entry-text").value = entry.text;
  $field("#entry-experience").value = entry.experience;
  $("#entry-submit").setAttribute("data-i18n", "intake.save");
  $("#entry-heading").setAttribute("data-i18n", "intake.edit_heading");
  $("#entry-cancel").hidden = false;
  translateDom($("#entry-form"));
  updateHints();
  $("#entry-text").focus();
}

function resetForm() {
  editing = null;
  for (const id of ["#entry-when", "#entry-text", "#entry-experience"]) $field(id).value = "";
  $("#entry-submit").setAttribute("data-i18n", "intake.add");
  $("#entry-heading").setAttribute("data-i18n", "intake.add_heading");
  $("#entry-cancel").hidden = true;
  translateDom($("#entry-form"));
  updateHints();
}

function showError(/** @type {any} */ error) {
  const box = $("#entry-error");
  box.textContent = errorMessage(error);
  box.hidden = false;
}

let updateHints = () => {};

async function submit(/** @type {Event} */ event) {
  event.preventDefault();
  $("#entry-error").hidden = true;
  const text = $field("#entry-text").value.trim();
  if (!text) {
    $("#entry-text").focus();
    return;
  }
  const experience = $field("#entry-experience").value.trim();
  if (!(await confirmPersonalData(`${text}\n${experience}`, $("#entry-warning"), $field("#entry-text")))) return;
  const payload = { text, when: $field("#entry-when").value.trim(), experience };
  const ack = editing ? await send("intake.update", { id: editing, ...payload }) : await send("intake.add", payload);
  if (!ack.ok) {
    showError(ack.error);
    return;
  }
  resetForm();
  $("#entry-text").focus();
}

function connect(/** @type {string} */ token) {
  const indicator = connectionIndicator();
  replace($("#connection"), indicator.element);
  const live = io({ path: "/socket.io", auth: { token }, transports: ["websocket", "polling"] });
  socket = live;
  live.on("connect", () => indicator.update("online"));
  live.on("disconnect", () => indicator.update("reconnecting"));
  live.on("snapshot", (/** @type {any} */ snapshot) => show(snapshot.meeting));
  live.on("intake.changed", refresh);
  // Ended, expired or lost: the link is no use any more either way.
  for (const notice of ["meeting.deleted", "meeting.expired", "meeting.lost"]) {
    live.on(notice, (/** @type {any} */ error) => {
      storeToken(null);
      live.disconnect();
      message("intake.gone_title", error?.message || t("intake.gone_text"));
    });
  }
  live.on("connect_error", (/** @type {any} */ err) => {
    if (live.active) return; // a network problem: the client retries by itself
    storeToken(null);
    const code = err?.data?.code;
    message(
      code === "meeting_gone" ? "intake.gone_title" : "intake.closed_title",
      err?.data?.message || t("intake.closed_text"),
    );
  });
}

async function boot() {
  try {
    await loadCatalogues("intake");
  } catch {
    // keys show; still better than nothing
  }
  translateDom(document);
  $("#language").append(languagePicker());
  const hash = decodeURIComponent(location.hash.slice(1));
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  if (hash) storeToken(TOKEN.test(hash) ? hash : null);
  const token = storedToken();
  if (!token) {
    message("intake.closed_title", t("intake.no_link"));
    return;
  }
  updateHints = (() => {
    const a = attachJargonHint($("#entry-text"), $("#entry-text-hint"));
    const b = attachJargonHint($("#entry-experience"), $("#entry-experience-hint"));
    return () => {
      a();
      b();
    };
  })();
  $("#entry-form").addEventListener("submit", submit);
  $("#entry-cancel").addEventListener("click", resetForm);
  window.addEventListener("languagechange", () => view && render());
  connect(token);
}

void boot();
