/**
 * The participant's page (/join): join with a code, accept the ground rules, take part live.
 * @module participant/main
 */
import { $ } from "../shared/dom.js";
import { languagePicker, loadCatalogues, translateDom } from "../shared/i18n.js";
import { runJoin } from "./join.js";
import { startLive } from "./live.js";
import { clearSession, loadSession, normaliseCode, saveSession } from "./session.js";

const SCREENS = ["screen-code", "screen-party", "screen-rules", "screen-live", "screen-message"];

/** @param {string} id */
function show(id) {
  for (const screen of SCREENS) $(`#${screen}`).hidden = screen !== id;
  document.body.dataset.screen = id;
}

/** @param {string} titleKey @param {string} textKey @param {boolean} again */
function message(titleKey, textKey, again) {
  const title = $("#message-title");
  title.setAttribute("data-i18n", titleKey);
  $("#message-text").setAttribute("data-i18n", textKey);
  $("#message-link").hidden = !again;
  translateDom($("#screen-message"));
  $("#party-chip").replaceChildren();
  show("screen-message");
  title.tabIndex = -1;
  title.focus();
}

await loadCatalogues("participant");
translateDom(document);
$("#language").append(languagePicker());
$("#loading").hidden = true;

// A scanned QR code opens /join#ABC234: take the code, then drop it from the address bar.
const fromUrl = location.hash ? normaliseCode(decodeURIComponent(location.hash.slice(1))) : null;
if (location.hash) history.replaceState(null, "", location.pathname + location.search);
// Opening a code link in a tab that already shows this page only changes the fragment: start over.
addEventListener("hashchange", () => {
  if (normaliseCode(decodeURIComponent(location.hash.slice(1)))) location.reload();
});

let session = loadSession();
if (session && fromUrl && fromUrl !== session.code) session = null; // another meeting's code

if (!session) {
  const joined = await runJoin({ show, prefill: fromUrl });
  session = { ...joined, rules_ok: false };
  saveSession(session);
}
startLive(session, {
  show,
  save: saveSession,
  onGone(error) {
    clearSession();
    if (error?.code === "meeting_expired") message("gone.expired_title", "gone.expired_text", false);
    else message("gone.title", "gone.text", false);
  },
  onRefused() {
    clearSession();
    message("refused.title", "refused.text", true);
  },
});
