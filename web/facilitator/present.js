/**
 * Presentation mode: the console as it may be projected. Links and tokens, the sharing tab and
 * every destructive control are left out (CSS on body.presenting); the choice lasts for this tab.
 * @module facilitator/present
 */

import { t } from "../shared/i18n.js";
import { byId } from "./ui.js";

const KEY = "tijdlijn.facilitator.presenting";

function stored() {
  try {
    return sessionStorage.getItem(KEY) === "1";
  } catch {
    return false;
  }
}

export function setup(/** @type {import("./console.js").Ctx} */ ctx) {
  const toggle = byId("present-toggle");
  const apply = (/** @type {boolean} */ on) => {
    document.body.classList.toggle("presenting", on);
    toggle.setAttribute("aria-pressed", String(on));
    toggle.textContent = t(on ? "present.off" : "present.on");
    try {
      sessionStorage.setItem(KEY, on ? "1" : "0");
    } catch {
      // no storage: the mode lasts until reload
    }
    // The sharing tab does not exist while presenting.
    if (on && byId("tab-share").getAttribute("aria-selected") === "true") ctx.showTab("run");
    ctx.hideSecrets?.();
  };
  toggle.hidden = false;
  toggle.addEventListener("click", () => apply(!document.body.classList.contains("presenting")));
  window.addEventListener("languagechange", () => apply(document.body.classList.contains("presenting")));
  apply(stored());
}
