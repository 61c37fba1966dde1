/**
 * Keyboard shortcuts and a presenter clicker: the next moment and undo without the mouse.
 *
 * Clickers send PageDown/PageUp (most) or the arrow keys. A shortcut never fires while someone
 * types (a field, a select, a dialog) or while a tab list handles its own arrows, never on a key
 * held down, and never twice before the first answer is back. Each one confirms what it did on
 * screen, in whatever tab is open.
 * @module facilitator/shortcuts
 */

import { announce } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { orderedMoments } from "../shared/state.js";
import { momentLabel } from "./interp.js";
import { byId, toast } from "./ui.js";

const NEXT = new Set(["PageDown", "ArrowRight"]);
const UNDO = new Set(["PageUp", "ArrowLeft"]);

/** Whether a key press belongs to what has focus rather than to the console. */
function ownedByFocus(/** @type {EventTarget | null} */ target, /** @type {string} */ key) {
  if (!(target instanceof Element)) return false;
  if (target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"], dialog[open]'))
    return true;
  // Arrow keys move between tabs and radio buttons; PageDown/PageUp are free there.
  return (
    key.startsWith("Arrow") &&
    Boolean(target.closest('[role="tablist"], [role="radiogroup"], [role="listbox"], [role="menu"]'))
  );
}

export function setup(/** @type {import("./console.js").Ctx} */ ctx) {
  let busy = false;
  document.addEventListener("keydown", async (event) => {
    const next = NEXT.has(event.key);
    const undo = UNDO.has(event.key);
    if (!next && !undo) return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (!ctx.meeting || byId("view-console").hidden) return;
    if (ownedByFocus(event.target, event.key) || document.querySelector("dialog[open]")) return;
    event.preventDefault();
    if (event.repeat || busy) return;
    if (ctx.meeting.phase !== "timeline") {
      confirm(t("shortcuts.not_now"), "error");
      return;
    }
    busy = true;
    try {
      if (next) await revealNext(ctx);
      else await undoReveal(ctx);
    } finally {
      busy = false;
    }
  });
}

async function revealNext(/** @type {import("./console.js").Ctx} */ ctx) {
  const draft = orderedMoments(ctx.meeting).find((m) => m.state === "draft");
  if (!draft) {
    confirm(t("run.reveal_none"), "error");
    return;
  }
  const ack = await ctx.send("moment.reveal", {});
  const moment = ack.ok && ack.id ? ctx.meeting.moments[ack.id] : null;
  if (moment) confirm(t("shortcuts.revealed", { moment: momentLabel(ctx, moment) }));
}

async function undoReveal(/** @type {import("./console.js").Ctx} */ ctx) {
  if (!orderedMoments(ctx.meeting).some((m) => m.state === "revealed")) {
    confirm(t("shortcuts.nothing_to_undo"), "error");
    return;
  }
  const ack = await ctx.send("moment.unreveal", {});
  if (ack.ok) confirm(t("run.unrevealed"));
}

/** Say it where the facilitator looks: the run panel's status line and a toast in any tab. */
function confirm(/** @type {string} */ message, kind = "info") {
  const line = byId("run-feedback");
  line.textContent = message;
  line.dataset.kind = kind;
  toast(message, kind);
  announce(message);
}
