/**
 * A gentle hint when a moment reads as a verdict. The method asks for neutral moments: no
 * truth-finding, no finger-pointing. A short word list, not a judge; the hint never blocks.
 * @module facilitator/judgement
 */

const WORDS = {
  nl: [
    "schuld",
    "fout",
    "fouten",
    "nalatig",
    "nalatigheid",
    "had moeten",
    "hadden moeten",
    "heeft gefaald",
    "falen",
    "faalde",
    "verzuimd",
    "verzuimde",
    "onterecht",
    "te laat",
    "ten onrechte",
    "slordig",
    "onprofessioneel",
    "liet na",
    "weigerde",
    "niet gedaan",
    "steken laten vallen",
    "blunder",
    "verwijtbaar",
    "incompetent",
    "in gebreke",
  ],
  en: [
    "fault",
    "blame",
    "negligent",
    "should have",
    "failed",
    "failure",
    "mistake",
    "wrongly",
    "careless",
    "unprofessional",
    "refused",
    "too late",
    "incompetent",
  ],
};

function escape(/** @type {string} */ word) {
  return word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const PATTERN = new RegExp(`(^|[^\\p{L}])(${[...WORDS.nl, ...WORDS.en].map(escape).join("|")})(?=$|[^\\p{L}])`, "giu");

/** The judgemental words found in ``text`` (lower case, unique, in order of appearance). */
export function judgementalWords(/** @type {string} */ text) {
  /** @type {string[]} */
  const found = [];
  for (const match of String(text || "").matchAll(PATTERN)) {
    const word = match[2].toLowerCase();
    if (!found.includes(word)) found.push(word);
  }
  return found;
}

/** Show the hint under a moment's text field while the facilitator types. */
export function attachJudgementHint(
  /** @type {HTMLInputElement | HTMLTextAreaElement} */ textarea,
  /** @type {HTMLElement} */ hint,
  /** @type {typeof import("../shared/i18n.js").t} */ t,
) {
  const update = () => {
    const words = judgementalWords(textarea.value);
    hint.textContent = words.length ? t("moments.judgement_hint", { words: words.join(", ") }) : "";
  };
  textarea.addEventListener("input", update);
  return update;
}
