/**
 * A hint about jargon: abbreviations of the Dutch social domain, written out. The twin of
 * server/tijdlijn/domain/jargon.py: the same list and the same rules (tests/test_jargon.py checks
 * both against tests/jargon_cases.json, and that the lists are equal). A hint, never a block.
 *
 * Known abbreviations come with their full form; other words of 2-6 capitals are reported as
 * "write this out", except emphasis ("NIET"), roman numerals, a word next to a digit ("CO2"), the
 * case's own initials and texts written all in capitals: few false alarms, or the hint is ignored.
 * @module jargon
 */

/** @typedef {{abbr: string, full: string|null}} Hint */

/**
 * Canonical form -> [full form, other spellings in use]. Keep alphabetical; add freely.
 * @type {Readonly<Record<string, [string, string[]]>>}
 */
export const ABBREVIATIONS = Object.freeze({
  AMHK: ["Advies- en Meldpunt Huiselijk geweld en Kindermishandeling (nu Veilig Thuis)", []],
  AVG: ["Algemene verordening gegevensbescherming", []],
  BGT: ["buurt- of gebiedsteam (de betekenis verschilt per gemeente)", []],
  BJZ: ["Bureau Jeugdzorg", []],
  BSN: ["burgerservicenummer", []],
  BW: ["beschermd wonen", []],
  CB: ["consultatiebureau", []],
  CIZ: ["Centrum indicatiestelling zorg", []],
  CJG: ["Centrum voor Jeugd en Gezin", []],
  FACT: ["Flexible Assertive Community Treatment (ggz-team in de wijk)", []],
  GGD: ["Gemeentelijke Gezondheidsdienst", []],
  GGZ: ["geestelijke gezondheidszorg", ["ggz", "Ggz"]],
  GI: ["gecertificeerde instelling (jeugdbescherming en jeugdreclassering)", []],
  HG: ["huiselijk geweld", []],
  IB: ["intern begeleider (school)", []],
  IBS: ["inbewaringstelling", []],
  JB: ["jeugdbescherming", []],
  JGT: ["jeugd- en gezinsteam", []],
  JGZ: ["jeugdgezondheidszorg", ["jgz"]],
  JR: ["jeugdreclassering", []],
  KM: ["kindermishandeling", []],
  LPA: ["leerplichtambtenaar", []],
  LVB: ["licht verstandelijke beperking", []],
  MDA: ["multidisciplinaire aanpak", []],
  MDO: ["multidisciplinair overleg", []],
  MO: ["maatschappelijke opvang", []],
  NAH: ["niet-aangeboren hersenletsel", []],
  OM: ["Openbaar Ministerie", []],
  OPP: ["ontwikkelingsperspectiefplan", []],
  OTS: ["ondertoezichtstelling", []],
  PGB: ["persoonsgebonden budget", ["pgb", "Pgb"]],
  POH: ["praktijkondersteuner huisarts", []],
  PW: ["Participatiewet", []],
  RM: ["rechterlijke machtiging", []],
  RvdK: ["Raad voor de Kinderbescherming", ["RVDK", "RvK"]],
  SAVE: ["SAVE-werkwijze van de jeugdbescherming (samen werken aan veiligheid)", []],
  SEH: ["spoedeisende hulp", []],
  SKJ: ["Stichting Kwaliteitsregister Jeugd", []],
  SVB: ["Sociale Verzekeringsbank", []],
  SWT: ["sociaal wijkteam", []],
  SWV: ["samenwerkingsverband passend onderwijs", []],
  UHP: ["uithuisplaatsing", []],
  UWV: ["Uitvoeringsinstituut Werknemersverzekeringen", []],
  VNG: ["Vereniging van Nederlandse Gemeenten", []],
  VT: ["Veilig Thuis", []],
  WLZ: ["Wet langdurige zorg", ["Wlz"]],
  WMO: ["Wet maatschappelijke ondersteuning", ["Wmo"]],
  WSNP: ["Wet schuldsanering natuurlijke personen", []],
  WVGGZ: ["Wet verplichte ggz", ["Wvggz"]],
  WZD: ["Wet zorg en dwang", ["Wzd"]],
  ZAT: ["zorg- en adviesteam (school)", []],
  ZVH: ["Zorg- en Veiligheidshuis", []],
  ZVW: ["Zorgverzekeringswet", ["Zvw"]],
});

/** Words in capitals that are no jargon: emphasis, and abbreviations everyone knows. */
// prettier-ignore
export const NOT_JARGON = Object.freeze(new Set((
  "AAN AL ALLES ALTIJD BIJ DAT DE DIT DUS EEN EN ER ECHT GEEN GOED HEEL HET HIJ IK IN JA " +
  "JIJ KAN LAAT LET MAAR MET MOET MOETEN NA NEE NIET NIETS NOG NOOIT NU OF OOK OP TE TOEN " +
  "VAN VEEL VOOR WANT WAT WEL WIE WIJ ZE ZEER ZELF ZIJ ZO " +
  "OK NB PS TV NL EU ID PDF WC"
).split(" ")));

/** @type {Map<string, string>} every spelling -> canonical form */
const FORMS = new Map();
for (const [abbr, [, others]] of Object.entries(ABBREVIATIONS)) {
  for (const form of [abbr, ...others]) FORMS.set(form, abbr);
}
// Letters as Dutch writes them: ASCII and Latin-1 (é, ë, ï, ...); the same class in Python.
const WORD = /[A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u00FF]+/g;
const CAPITALS = /^[A-Z]{2,6}$/;
const ROMAN = /^X{0,3}(?:IX|IV|V?I{0,3})$/;
const DIGIT = /^[0-9]/;

/** @param {string[]} words */
function shouting(words) {
  const long = words.filter((w) => w.length >= 2);
  const caps = long.filter((w) => CAPITALS.test(w));
  return caps.length >= 4 && caps.length * 10 >= long.length * 6;
}

/**
 * The abbreviations in ``text`` in order of appearance, each once.
 * @param {string} text
 * @param {Iterable<string>} [ignore] e.g. the case's initials written without dots ("JK")
 * @returns {Hint[]}
 */
export function findJargon(text, ignore = []) {
  const source = String(text ?? "");
  const skip = new Set(ignore);
  const matches = [...source.matchAll(WORD)];
  const loud = shouting(matches.map((m) => m[0]));
  /** @type {Hint[]} */
  const found = [];
  const seen = new Set();
  for (const match of matches) {
    const word = match[0];
    const start = match.index ?? 0;
    const end = start + word.length;
    let abbr;
    let full;
    if (FORMS.has(word)) {
      abbr = /** @type {string} */ (FORMS.get(word));
      full = ABBREVIATIONS[abbr][0];
    } else if (
      CAPITALS.test(word) &&
      !loud &&
      !NOT_JARGON.has(word) &&
      !skip.has(word) &&
      !ROMAN.test(word) &&
      !DIGIT.test(source.slice(start - 1, start)) &&
      !DIGIT.test(source.slice(end, end + 1))
    ) {
      abbr = word;
      full = null;
    } else {
      continue;
    }
    if (!seen.has(abbr)) {
      seen.add(abbr);
      found.push({ abbr, full });
    }
  }
  return found;
}
