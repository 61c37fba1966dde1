/**
 * The meeting as data in the browser: the JS twin of server/tijdlijn/domain/evolve.py.
 *
 * An event is a list of changes, each `{op:"put", kind, item}`, `{op:"del", kind, id}` or
 * `{op:"set", fields}`. Applying them here exactly as the server does keeps a device that applied
 * events 1..N identical to the server's state at N. Helpers below give the orders the views show.
 * @module state
 */

/** @typedef {"preparation"|"introduction"|"timeline"|"reflection"|"agreements"|"closed"} Phase */
/** @typedef {"content"|"playing_field"|"relations"} TriangleLevel */
/** @typedef {{id: string, name: string, colour: string, position: number, absent?: boolean}} Party */
/**
 * @typedef {{id: string, text: string, when: string, position: number,
 *   source_party_id: string|null, state: "draft"|"revealed", revealed_at: number|null,
 *   pii: boolean}} Moment
 */
/**
 * @typedef {{id: string, moment_id: string, party_id: string, text: string,
 *   created_at: number, updated_at: number, pii: boolean, prepared?: boolean}} Interpretation
 */
/** @typedef {{target: "moment"|"interpretation", id: string}} Flag */
/** @typedef {{id: string, label: string, flags: Flag[]}} Theme */
/**
 * @typedef {{id: string, text: string, level: TriangleLevel|null, moment_ids: string[],
 *   theme_ids: string[], position: number}} Thread
 */
/** @typedef {{id: string, text: string, position: number, pii: boolean}} Lesson */
/**
 * @typedef {{id: string, text: string, owner_party_id: string|null, due: string|null,
 *   status: "not_started"|"in_progress"|"done", position: number, pii: boolean}} Agreement
 */
/**
 * @typedef {{id: string, kind: "reconstruction"|"follow_up", title: string, initials: string,
 *   created_at: number, phase: Phase, phase_started_at: number|null,
 *   agenda: Record<string, number>, part_started_at: Record<string, number>,
 *   ground_rules: string[], ground_rules_version?: number, current_moment_id: string|null, follow_up_date: string|null,
 *   planned_date: string|null,
 *   parties: Record<string, Party>, moments: Record<string, Moment>,
 *   interpretations: Record<string, Interpretation>, themes: Record<string, Theme>,
 *   threads: Record<string, Thread>, lessons: Record<string, Lesson>,
 *   agreements: Record<string, Agreement>, intakes?: Record<string, Intake>,
 *   intake_entries?: Record<string, IntakeEntry>, new_information?: Record<string, NewInformation>,
 *   preconditions?: Record<string, boolean | null>, ground_rules_accepted?: number}} Meeting
 *   As server/tijdlijn/domain/meeting.py Meeting, as a device receives it: the preparation's
 *   collections and the counts reach the facilitators only.
 */
/** @typedef {{id: string, party_id: string, status: "open"|"closed", opened_at: number}} Intake */
/**
 * @typedef {{id: string, party_id: string, when: string, text: string, experience: string,
 *   created_at: number, updated_at: number, pii: boolean, moment_id: string|null}} IntakeEntry
 */
/**
 * @typedef {{id: string, created_at: number, moment_id: string|null, agreement: string|null,
 *   pii: boolean}} NewInformation
 */
/**
 * @typedef {{op: "put", kind: string, item: {id: string}} |
 *   {op: "del", kind: string, id: string} |
 *   {op: "set", fields: Record<string, unknown>}} Change
 */

/** @type {readonly Phase[]} */
export const PHASES = Object.freeze(["preparation", "introduction", "timeline", "reflection", "agreements", "closed"]);
/** Phases with planned minutes on the agenda. */
export const AGENDA_PARTS = Object.freeze(["introduction", "timeline", "reflection", "agreements"]);
/** The collaboration triangle, top to bottom. @type {readonly TriangleLevel[]} */
export const TRIANGLE_LEVELS = Object.freeze(["content", "playing_field", "relations"]);
export const COLLECTIONS = Object.freeze([
  "parties",
  "moments",
  "interpretations",
  "themes",
  "threads",
  "lessons",
  "agreements",
  "intakes",
  "intake_entries",
  "new_information",
]);
/** As MEETING_FIELDS in server/tijdlijn/domain/meeting.py (tests/test_state_js.py compares them). */
export const MEETING_FIELDS = Object.freeze([
  "id",
  "kind",
  "title",
  "initials",
  "created_at",
  "phase",
  "phase_started_at",
  "agenda",
  "part_started_at",
  "ground_rules",
  "current_moment_id",
  "follow_up_date",
  "planned_date",
  "preconditions",
  "ground_rules_version",
  "rule_acceptances",
  "ground_rules_accepted",
]);
/** Okabe & Ito colours, as server/tijdlijn/domain/items.py PALETTE. */
export const PALETTE = Object.freeze([
  "#E69F00",
  "#56B4E9",
  "#009E73",
  "#F0E442",
  "#0072B2",
  "#D55E00",
  "#CC79A7",
  "#000000",
]);

/**
 * Apply changes to meeting in place (as evolve does) and return it. Items are copied, so the
 * caller's change objects are never shared with the state.
 * @param {Meeting} meeting
 * @param {Change[]} changes
 * @returns {Meeting}
 */
export function applyChanges(meeting, changes) {
  const raw = /** @type {Record<string, any>} */ (meeting);
  for (const change of changes) {
    if (change.op === "set") {
      for (const [key, value] of Object.entries(change.fields)) {
        if (MEETING_FIELDS.includes(key)) raw[key] = structuredClone(value);
      }
    } else if (change.op === "put") {
      raw[change.kind] ??= {};
      raw[change.kind][change.item.id] = structuredClone(change.item);
    } else if (change.op === "del") {
      if (raw[change.kind]) delete raw[change.kind][change.id];
    }
  }
  return meeting;
}

/** @param {{position: number, id: string}} a @param {{position: number, id: string}} b */
function byPosition(a, b) {
  return a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * All moments in timeline order (position, then id), as ordered_moments on the server.
 * @param {Meeting} meeting
 * @returns {Moment[]}
 */
export function orderedMoments(meeting) {
  return Object.values(meeting.moments ?? {}).sort(byPosition);
}

/** Revealed moments in timeline order. @param {Meeting} meeting @returns {Moment[]} */
export function revealedMoments(meeting) {
  return orderedMoments(meeting).filter((m) => m.state === "revealed");
}

/** The moment under discussion, or null. @param {Meeting} meeting @returns {Moment|null} */
export function currentMoment(meeting) {
  const id = meeting.current_moment_id;
  return (id && meeting.moments?.[id]) || null;
}

/** The most recently revealed moment, or null. @param {Meeting} meeting @returns {Moment|null} */
export function latestRevealed(meeting) {
  let best = null;
  for (const m of Object.values(meeting.moments ?? {})) {
    if (m.state !== "revealed") continue;
    if (!best || (m.revealed_at ?? 0) > (best.revealed_at ?? 0)) best = m;
  }
  return best;
}

/**
 * Items of a positioned collection (parties, threads, lessons, agreements) in their order.
 * @template {{position: number, id: string}} T
 * @param {Record<string, T> | undefined} collection
 * @returns {T[]}
 */
export function ordered(collection) {
  return Object.values(collection ?? {}).sort(byPosition);
}

/** Parties in their order. @param {Meeting} meeting @returns {Party[]} */
export function orderedParties(meeting) {
  return ordered(meeting.parties);
}

/**
 * Interpretations of one moment, oldest first.
 * @param {Meeting} meeting
 * @param {string} momentId
 * @returns {Interpretation[]}
 */
export function interpretationsFor(meeting, momentId) {
  return Object.values(meeting.interpretations ?? {})
    .filter((i) => i.moment_id === momentId)
    .sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1));
}

/**
 * Themes flagged on one moment or interpretation.
 * @param {Meeting} meeting
 * @param {"moment"|"interpretation"} target
 * @param {string} id
 * @returns {Theme[]}
 */
export function themesOn(meeting, target, id) {
  return Object.values(meeting.themes ?? {}).filter((theme) =>
    theme.flags.some((f) => f.target === target && f.id === id),
  );
}

/** Themes by label. @param {Meeting} meeting @returns {Theme[]} */
export function orderedThemes(meeting) {
  return Object.values(meeting.themes ?? {}).sort((a, b) => a.label.localeCompare(b.label));
}

/** @param {Meeting} meeting @param {string|null|undefined} id @returns {Party|null} */
export function partyOf(meeting, id) {
  return (id && meeting.parties?.[id]) || null;
}

/**
 * Black or white, whichever reads better on a party colour (WCAG relative luminance).
 * @param {string} hex "#RRGGBB"
 * @returns {"#000000"|"#FFFFFF"}
 */
export function textColourOn(hex) {
  const channel = (/** @type {number} */ i) => {
    const c = parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const lum = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
  return (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) ? "#000000" : "#FFFFFF";
}
