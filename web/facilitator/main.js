/**
 * The facilitator page: /facilitator#new starts a meeting, /facilitator#<token> opens its
 * console. The token is moved from the address bar into sessionStorage (this tab only) at once,
 * so it is not left in the visible URL, the history or a screenshot.
 * @module facilitator/main
 */

import { languagePicker, loadCatalogues, t, translateDom } from "../shared/i18n.js";
import { saveJson } from "../shared/http.js";
import { tabGet, tabSet } from "../shared/tab_store.js";
import { startConsole } from "./console.js";
import { showNewMeeting } from "./newmeeting.js";
import { byId, el, toast } from "./ui.js";
import { kept, meetingOf, restore } from "./keep.js";

const TOKEN_KEY = "tijdlijn.facilitator.token";
const TOKEN = /^[A-Za-z0-9_-]{16,40}\.[A-Za-z0-9_-]{22,64}$/;
const VIEWS = ["view-loading", "view-new", "view-console", "view-receipt", "view-gone"];

let consoleRunning = false;

function storedToken() {
  return tabGet(TOKEN_KEY);
}

function storeToken(/** @type {string | null} */ token) {
  tabSet(TOKEN_KEY, token || null);
}

function clearAddressBar() {
  history.replaceState(null, "", location.pathname + location.search);
}

/** @param {string} id @param {string} [focusId] */
function showView(id, focusId) {
  for (const view of VIEWS) byId(view).hidden = view !== id;
  const target = focusId ? byId(focusId) : null;
  if (target) target.focus();
}

function openConsole(/** @type {string} */ token) {
  consoleRunning = true;
  showView("view-console");
  startConsole(token, { onGone: (/** @type {string} */ reason) => showGone(reason, token), onReceipt: showReceipt });
}

/** An expired meeting can come back from the copy this browser kept, until that expires. */
async function offerRestore(/** @type {string} */ token) {
  const button = byId("gone-restore");
  button.hidden = !(await kept(meetingOf(token)));
  button.onclick = async () => {
    const outcome = await restore(token);
    if (outcome === "restored") {
      storeToken(token);
      location.reload();
    } else {
      toast(t("restore.failed"), "error");
    }
  };
}

/** @param {string} reason @param {string} [token] */
function showGone(reason, token) {
  storeToken(null);
  byId("gone-restore").hidden = true;
  if (reason === "expired" && token) void offerRestore(token);
  byId("connection").replaceChildren();
  byId("topbar-meeting").hidden = true;
  byId("presence").replaceChildren();
  byId("gone-heading").textContent = t(`gone.${reason}_heading`);
  byId("gone-text").textContent = t(`gone.${reason}_text`);
  byId("gone-heading").dataset.i18n = `gone.${reason}_heading`;
  byId("gone-text").dataset.i18n = `gone.${reason}_text`;
  showView("view-gone", "gone-heading");
  document.title = t("page.title");
}

const RECEIPT_FIELDS = [
  "meeting_hash",
  "deleted_at",
  "items_removed_total",
  "keys_removed",
  "keys_remaining",
  "verified_empty",
];

function showReceipt(/** @type {import("./end.js").Receipt} */ receipt) {
  storeToken(null);
  byId("connection").replaceChildren();
  byId("topbar-meeting").hidden = true;
  byId("presence").replaceChildren();
  const rows = [];
  const value = (/** @type {unknown} */ v) =>
    typeof v === "boolean" ? t(v ? "receipt.yes" : "receipt.no") : String(v);
  const keys = [
    ...RECEIPT_FIELDS.filter((k) => k in receipt),
    ...Object.keys(receipt).filter((k) => !RECEIPT_FIELDS.includes(k) && k !== "items_removed"),
  ];
  for (const key of keys) {
    const label = t(`receipt.${key}`);
    rows.push(
      el("dt", { text: label === `receipt.${key}` ? key : label }),
      el("dd", { class: key === "meeting_hash" ? "mono" : "", text: value(receipt[key]) }),
    );
  }
  if (receipt.items_removed && typeof receipt.items_removed === "object") {
    const parts = Object.entries(receipt.items_removed).map(([kind, n]) => {
      const label = t(`receipt.kind.${kind}`);
      return el("li", { text: `${label === `receipt.kind.${kind}` ? kind : label}: ${n}` });
    });
    rows.push(
      el("dt", { text: t("receipt.items_removed") }),
      el("dd", {}, el("ul", { class: "plain-list" }, ...parts)),
    );
  }
  byId("receipt-fields").replaceChildren(...rows);
  const download = byId("receipt-download");
  download.onclick = null;
  download.addEventListener("click", () => {
    const stamp =
      String(receipt.deleted_at || "")
        .replace(/[^0-9T]/g, "")
        .slice(0, 15) || "receipt";
    saveJson(receipt, `verwijderbewijs-${stamp}.json`);
  });
  showView("view-receipt", "receipt-heading");
  document.title = t("receipt.heading");
}

function route() {
  const hash = decodeURIComponent(location.hash.slice(1));
  if (hash && hash !== "new") {
    clearAddressBar();
    if (!TOKEN.test(hash)) {
      showGone("unauthorized");
      return;
    }
    storeToken(hash);
    if (consoleRunning) {
      location.reload();
      return;
    }
    openConsole(hash);
    return;
  }
  if (consoleRunning) {
    location.reload();
    return;
  }
  const token = hash === "new" ? null : storedToken();
  if (token && TOKEN.test(token)) {
    openConsole(token);
    return;
  }
  showView("view-new");
  showNewMeeting((created) => {
    storeToken(created);
    if (location.hash) clearAddressBar();
    openConsole(created);
    byId("main").focus();
  });
}

async function boot() {
  try {
    await loadCatalogues("facilitator");
  } catch {
    // Without catalogues the keys show; still better than a blank page.
  }
  translateDom(document);
  byId("language-slot").append(languagePicker());
  window.addEventListener("hashchange", route);
  route();
}

void boot();
