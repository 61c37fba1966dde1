/**
 * A new meeting: title, case initials, parties with colours, ground rules, and the handbook's
 * preconditions as a checklist (guidance, not a gate). Also: import a prepared meeting, or start
 * a follow-up from a pack.
 * @module facilitator/newmeeting
 */

import { errorMessage, t } from "../shared/i18n.js";
import { PALETTE } from "../shared/state.js";
import { httpError, postJson } from "../shared/http.js";
import { INITIALS, addRuleRow, colourOptions } from "./prepare.js";
import { $ } from "../shared/dom.js";
import { byId, button, el, fillSelect } from "./ui.js";

const DEFAULT_RULE_COUNT = 5;
let rowCounter = 0;
let started = false;

// The facilitator access key, when the server asks for one: kept in this tab's memory only.
let facilitatorKey = "";

/** What the server answers when it created a meeting (the console needs only the token). */
/** @typedef {{facilitator_token: string}} Created */

/**
 * POST that creates a meeting; asks for the access key when the server needs one.
 * @param {string} path
 * @param {unknown} body the new meeting, an exported one, or a follow-up pack (checked there)
 * @returns {Promise<Created>}
 */
async function create(path, body) {
  try {
    return /** @type {Created} */ (await postJson(path, body, facilitatorKey || undefined));
  } catch (error) {
    if (httpError(error).code === "facilitator_key") {
      const input = byId("new-key-input", HTMLInputElement);
      byId("new-key").hidden = false;
      input.setAttribute("aria-invalid", String(Boolean(facilitatorKey)));
      input.focus();
    }
    throw error;
  }
}

/** Show the form; ``onCreated(token)`` opens the console of the new meeting. */
export function showNewMeeting(/** @type {(token: string) => void} */ onCreated) {
  if (started) return;
  started = true;
  const keyInput = byId("new-key-input", HTMLInputElement);
  keyInput.addEventListener("input", () => {
    facilitatorKey = keyInput.value.trim();
  });
  const parties = byId("new-parties");
  for (let i = 0; i < 3; i += 1) addPartyRow(parties);
  byId("new-party-add").addEventListener("click", () => {
    if (parties.children.length >= 12) return;
    /** @type {HTMLInputElement} */ (addPartyRow(parties).querySelector("input")).focus();
  });
  fillRules();
  window.addEventListener("languagechange", () => {
    relabelPartyRows();
    if (!byId("new-rules").dataset.edited) fillRules();
  });
  byId("new-rules").addEventListener("input", () => {
    byId("new-rules").dataset.edited = "1";
  });
  byId("new-rule-add").addEventListener("click", () => {
    byId("new-rules").dataset.edited = "1";
    /** @type {HTMLTextAreaElement} */ (addRuleRow(byId("new-rules"), "").querySelector("textarea")).focus();
  });
  const initials = byId("new-initials", HTMLInputElement);
  initials.addEventListener("blur", () => checkInitials(false));
  initials.addEventListener("input", () => {
    if (initials.getAttribute("aria-invalid") === "true") checkInitials(false);
  });
  byId("new-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void submit(onCreated);
  });
  setupUpload("import-form", "import-file", "import-error", "/api/import", onCreated);
  setupUpload("followup-form", "followup-file", "followup-error", "/api/followup/start", onCreated);
}

function fillRules() {
  const list = byId("new-rules");
  list.replaceChildren();
  for (let i = 1; i <= DEFAULT_RULE_COUNT; i += 1) addRuleRow(list, t(`rules.default.${i}`));
}

function checkInitials(/** @type {boolean} */ focus) {
  const input = byId("new-initials", HTMLInputElement);
  const ok = INITIALS.test(input.value.trim());
  input.setAttribute("aria-invalid", String(!ok));
  byId("new-initials-error").hidden = ok;
  if (!ok && focus) input.focus();
  return ok;
}

function addPartyRow(/** @type {HTMLElement} */ list) {
  rowCounter += 1;
  const n = rowCounter;
  const used = new Set([...list.querySelectorAll("select")].map((s) => s.value));
  const free = PALETTE.find((c) => !used.has(c)) || PALETTE[0];
  const nameId = `new-party-name-${n}`;
  const colourId = `new-party-colour-${n}`;
  const name = el("input", {
    attrs: { id: nameId, type: "text", maxlength: 60, autocomplete: "off" },
    data: { testid: "new-party-name" },
  });
  const colour = el("select", { attrs: { id: colourId }, data: { testid: "new-party-colour" } });
  fillSelect(colour, colourOptions(), free);
  colour.value = free;
  const swatch = el("span", { class: "swatch swatch-large", attrs: { "aria-hidden": "true" } });
  const paint = () => swatch.style.setProperty("background-color", colour.value);
  colour.addEventListener("change", paint);
  paint();
  const row = el(
    "li",
    { class: "party-row" },
    el("div", { class: "field" }, el("label", { class: "row-label", attrs: { for: nameId } }), name),
    el(
      "div",
      { class: "field" },
      el("label", { class: "row-label", attrs: { for: colourId } }),
      el("span", { class: "with-swatch" }, swatch, colour),
    ),
  );
  row.append(
    button(
      "action.remove",
      () => {
        const next = row.nextElementSibling || row.previousElementSibling;
        row.remove();
        relabelPartyRows();
        (next?.querySelector("input") || byId("new-party-add")).focus();
      },
      { class: "button button--small button--danger" },
    ),
  );
  list.append(row);
  relabelPartyRows();
  return row;
}

/** Labels say which row they belong to ("Naam partij 2"), also for the remove buttons. */
function relabelPartyRows() {
  [...byId("new-parties").children].forEach((row, i) => {
    const n = i + 1;
    const [nameLabel, colourLabel] = row.querySelectorAll("label");
    nameLabel.textContent = t("new.party_name", { n });
    colourLabel.textContent = t("new.party_colour", { n });
    const colour = $("select", row, HTMLSelectElement);
    const value = colour.value;
    fillSelect(colour, colourOptions(), value);
    const remove = $("button", row);
    remove.textContent = t("action.remove");
    remove.setAttribute("aria-label", t("new.party_remove", { n }));
  });
}

function showError(/** @type {string} */ id, /** @type {string} */ message) {
  const box = byId(id);
  box.textContent = message;
  box.hidden = !message;
}

async function submit(/** @type {(token: string) => void} */ onCreated) {
  showError("new-error", "");
  const title = byId("new-title", HTMLInputElement);
  if (!title.value.trim()) {
    title.setAttribute("aria-invalid", "true");
    showError("new-error", t("new.title_missing"));
    title.focus();
    return;
  }
  title.removeAttribute("aria-invalid");
  if (!checkInitials(true)) {
    showError("new-error", t("new.initials_invalid"));
    return;
  }
  const parties = [];
  const seen = new Set();
  for (const row of byId("new-parties").children) {
    const input = $("input", row, HTMLInputElement);
    const name = input.value.trim();
    if (!name) continue;
    if (seen.has(name.toLowerCase())) {
      showError("new-error", t("new.party_duplicate", { name }));
      input.focus();
      return;
    }
    seen.add(name.toLowerCase());
    parties.push({ name, colour: $("select", row, HTMLSelectElement).value });
  }
  const rules = [...byId("new-rules").querySelectorAll("textarea")].map((a) => a.value.trim()).filter(Boolean);
  const submitButton = byId("new-submit", HTMLButtonElement);
  submitButton.disabled = true;
  try {
    const created = await create("/api/meetings", {
      title: title.value.trim(),
      initials: byId("new-initials", HTMLInputElement).value.trim(),
      parties,
      ground_rules: rules,
      // The handbook's preconditions ticked here are kept with the meeting (unticked: not
      // answered yet; the console's preparation tab asks again).
      preconditions: {
        ...(byId("pre-1", HTMLInputElement).checked ? { case_calm: true } : {}),
        ...(byId("pre-2", HTMLInputElement).checked ? { most_involved: true } : {}),
        ...(byId("pre-3", HTMLInputElement).checked ? { light_tensions: true } : {}),
      },
    });
    onCreated(created.facilitator_token);
  } catch (caught) {
    const error = httpError(caught);
    showError("new-error", error.code === "offline" ? t("finish.offline") : errorMessage(error));
    if (error.code !== "facilitator_key") byId("new-error").focus?.();
  } finally {
    submitButton.disabled = false;
  }
}

function setupUpload(
  /** @type {string} */ formId,
  /** @type {string} */ inputId,
  /** @type {string} */ errorId,
  /** @type {string} */ path,
  /** @type {(token: string) => void} */ onCreated,
) {
  byId(formId).addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(errorId, "");
    const file = byId(inputId, HTMLInputElement).files?.[0];
    if (!file) {
      showError(errorId, t("import.choose_file"));
      byId(inputId).focus();
      return;
    }
    let data;
    try {
      data = JSON.parse(await file.text());
    } catch {
      showError(errorId, t("import.not_json"));
      return;
    }
    try {
      const created = await create(path, data);
      onCreated(created.facilitator_token);
    } catch (caught) {
      const error = httpError(caught);
      showError(errorId, error.code === "offline" ? t("finish.offline") : errorMessage(error));
    }
  });
}
