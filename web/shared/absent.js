/**
 * An absent party's prepared interpretations are marked "vooraf aangeleverd" wherever they show
 * (wall, phones, console), so nobody takes them for something said in the room.
 * @module absent
 */

import { el } from "./dom.js";
import { t } from "./i18n.js";

/**
 * @param {{parties: Record<string, {absent?: boolean}>}} meeting
 * @param {{party_id: string, prepared?: boolean}} interp
 */
export function providedBeforehand(meeting, interp) {
  return Boolean(interp.prepared && meeting.parties?.[interp.party_id]?.absent);
}

/**
 * The marker for an interpretation, or null when it needs none.
 * @param {{parties: Record<string, {absent?: boolean}>}} meeting
 * @param {{party_id: string, prepared?: boolean}} interp
 */
export function absentMarker(meeting, interp) {
  if (!providedBeforehand(meeting, interp)) return null;
  return el("span", {
    class: "absent-marker",
    text: t("absent.marker"),
    attrs: { title: t("absent.marker_label") },
    data: { testid: "absent-marker" },
  });
}
