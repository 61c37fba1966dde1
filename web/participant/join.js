/**
 * Joining: type the code (or arrive with it in the URL fragment after scanning the QR), pick a
 * party, get a participant token.
 * @module participant/join
 */

import { $, el, partyChip, replace, setText } from "../shared/dom.js";
import { HttpError, getJson, postJson } from "../shared/http.js";
import { getLanguage, t } from "../shared/i18n.js";
import { normaliseCode } from "./session.js";

/** @typedef {import("./session.js").Session} Session */
/** @typedef {{title: string, phase: string, parties: {id: string, name: string, colour: string}[]}} JoinInfo */

/**
 * The message for a failed call: "code not found" for a 404, the server's Dutch message, or the
 * catalogue's text for its code.
 * @param {unknown} error
 */
function failureText(error) {
  if (!(error instanceof HttpError)) return t("error.error");
  if (error.code === "offline") return t("error.network");
  if (error.status === 404) return t("participant.code.not_found");
  if (getLanguage() === "nl" && error.message) return error.message;
  return t(`error.${error.code}`);
}

/**
 * Run the join flow; resolves with the new session once a party was chosen.
 * @param {{show: (id: string) => void, prefill: string | null}} options
 * @returns {Promise<Omit<Session, "rules_ok">>}
 */
export function runJoin({ show, prefill }) {
  return new Promise((resolve) => {
    const codeForm = $("#code-form");
    const codeInput = /** @type {HTMLInputElement} */ ($("#code-input"));
    const codeError = $("#code-error");
    const partyForm = $("#party-form");
    const partyError = $("#party-error");
    const partyOptions = $("#party-options");
    /** @type {string | null} */
    let code = null;
    let busy = false;

    const fail = (/** @type {HTMLElement} */ slot, /** @type {string} */ message) => {
      setText(slot, message);
      slot.classList.toggle("notice", Boolean(message));
      slot.classList.toggle("notice--error", Boolean(message));
    };

    async function lookUp() {
      const typed = normaliseCode(codeInput.value);
      if (!typed) {
        codeInput.setAttribute("aria-invalid", "true");
        fail(codeError, t("participant.code.invalid"));
        codeInput.focus();
        return;
      }
      codeInput.removeAttribute("aria-invalid");
      fail(codeError, "");
      busy = true;
      /** @type {JoinInfo} */
      let info;
      try {
        info = await getJson(`/api/join/${encodeURIComponent(typed)}`);
      } catch (error) {
        fail(codeError, failureText(error));
        codeInput.focus();
        return;
      } finally {
        busy = false;
      }
      code = typed;
      showParties(info);
    }

    /** @param {JoinInfo} info */
    function showParties(info) {
      setText($("#party-meeting"), info.title);
      fail(partyError, "");
      replace(
        partyOptions,
        ...info.parties.map((party) =>
          el(
            "label",
            { class: "p-party-option" },
            el("input", { attrs: { type: "radio", name: "party", value: party.id, required: true } }),
            partyChip(party, "p-party-option__chip"),
          ),
        ),
      );
      if (info.parties.length === 0) fail(partyError, t("participant.party.none"));
      show("screen-party");
      $("#party-title").focus();
    }

    async function join() {
      const chosen = /** @type {HTMLInputElement | null} */ (partyForm.querySelector("input[name=party]:checked"));
      if (!chosen || !code) {
        fail(partyError, t("participant.party.required"));
        return;
      }
      fail(partyError, "");
      busy = true;
      let body;
      try {
        body = await postJson("/api/join", { code, party_id: chosen.value });
      } catch (error) {
        fail(partyError, failureText(error));
        return;
      } finally {
        busy = false;
      }
      resolve({
        token: body.token,
        code,
        meeting_id: body.meeting_id,
        participant_id: body.participant_id,
        party_id: body.party_id,
      });
    }

    codeForm.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!busy) void lookUp();
    });
    partyForm.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!busy) void join();
    });
    $("#party-back").addEventListener("click", () => {
      show("screen-code");
      codeInput.focus();
    });

    $("#party-title").tabIndex = -1;
    show("screen-code");
    if (prefill) {
      codeInput.value = prefill;
      void lookUp(); // arrived from the QR code: skip straight to choosing a party
    } else {
      codeInput.focus();
    }
  });
}
