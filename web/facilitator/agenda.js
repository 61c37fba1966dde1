/**
 * The agenda timer: planned minutes per part against the time each part actually took.
 * @module facilitator/agenda
 */

export const AGENDA_PARTS = ["introduction", "timeline", "reflection", "agreements"];
export const STEPS = ["preparation", "introduction", "timeline", "reflection", "agreements", "closed"];

/**
 * Seconds spent in each part so far. A part runs from its first start until the next part
 * started (parts are usually taken in order) or, for the current part, until now.
 */
export function elapsedByPart(
  /** @type {import("../shared/state.js").Meeting} */ meeting,
  /** @type {number} */ nowSeconds,
) {
  const starts = meeting.part_started_at || {};
  /** @type {Record<string, number>} */
  const out = {};
  for (const part of AGENDA_PARTS) {
    const start = starts[part];
    if (typeof start !== "number") {
      out[part] = 0;
      continue;
    }
    let end;
    if (meeting.phase === part) {
      end = nowSeconds;
    } else {
      const later = Object.values(starts).filter((s) => typeof s === "number" && s > start);
      if (later.length) end = Math.min(...later);
      else if (typeof meeting.phase_started_at === "number" && meeting.phase_started_at > start) {
        end = meeting.phase_started_at;
      } else end = nowSeconds;
    }
    out[part] = Math.max(0, end - start);
  }
  return out;
}

export function plannedMinutes(/** @type {import("../shared/state.js").Meeting} */ meeting) {
  const agenda = meeting.agenda || {};
  return AGENDA_PARTS.reduce((sum, part) => sum + (Number(agenda[part]) || 0), 0);
}

/** "m:ss" or "h:mm:ss" for a duration in seconds. */
export function clock(/** @type {number} */ seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

/** The date three months from ``today`` as YYYY-MM-DD (the method says 3-6 months). */
export function suggestedFollowUp(today = new Date()) {
  const d = new Date(today.getFullYear(), today.getMonth() + 3, today.getDate());
  // Month overflow (31 May + 3 months) lands in the next month; step back to its last day.
  if (d.getDate() !== today.getDate()) d.setDate(0);
  const mm = String(d.getMonth() + 1).padStart(2, "0");
  const dd = String(d.getDate()).padStart(2, "0");
  return `${d.getFullYear()}-${mm}-${dd}`;
}

// The console tab that fits each phase, opened when the facilitator moves the meeting on.
/** @type {Record<string, string>} */
export const TAB_FOR_PHASE = {
  preparation: "prepare",
  // Never the sharing tab: a projected console would show its links to the room.
  introduction: "prepare",
  timeline: "run",
  reflection: "threads",
  agreements: "agreements",
  closed: "finish",
};
