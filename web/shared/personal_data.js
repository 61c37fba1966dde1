/**
 * A guard against personal data in free text: BSN, postcode with house number, date of birth,
 * phone number, e-mail address. The twin of server/tijdlijn/domain/personal_data.py: the same
 * rules with the same regular expressions (ASCII classes, no lookbehind, so older Safari parses
 * them too). tests/personal_data_cases.json holds the cases both must pass.
 *
 * Every rule asks for more than a pattern of digits, because a warning that fires on ordinary
 * sentences gets clicked away: a BSN must pass the eleven-test, a postcode needs a house number,
 * a date counts only next to a birth keyword ("op 3 maart 2024 belde de wijkagent" is an event).
 * @module personal_data
 */

/** @typedef {"bsn" | "postcode" | "birth_date" | "phone" | "email"} Kind */

const EDGE = "(?:^|[^0-9A-Za-z])";

const BSN = new RegExp(
  "(?:^|[^0-9A-Za-z+.,-])" +
    "([0-9]{9}|[0-9]{4}([ .-]?)[0-9]{2}\\2[0-9]{3}|[0-9]{3}([ .-])[0-9]{3}\\3[0-9]{3})" +
    "(?![0-9]|[.,-][0-9])",
  "g",
);

const PC = "[1-9][0-9]{3}(?:[ ]?(?!SA|SD|SS)[A-Z]{2}|(?!sa|sd|ss)[a-z]{2})(?![A-Za-z])";
const POSTCODE = new RegExp(
  EDGE + PC + "[ ]?,?[ ]{0,2}[0-9]{1,5}(?![0-9])" + "|[A-Za-z][ ][0-9]{1,5}[A-Za-z]?,?[ ]{1,2}" + PC,
);

const SEP = "(?:[ ]?[.-][ ]?|[ ]|\\)[ ]?)";
// prettier-ignore
const PHONE = new RegExp(
  "(?:^|[^0-9A-Za-z+])" +
    "((?:\\+|00)31[ ]?-?[ ]?(?:\\(0\\)[ ]?)?[1-9](?:" + SEP + "?[0-9]){8}" +
    "|\\(?0[1-9](?:" + SEP + "?[0-9]){8})" +
    "(?![0-9])",
  "g",
);

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;

const DAY = "(?:0?[1-9]|[12][0-9]|3[01])";
const MONTH = "(?:0?[1-9]|1[0-2])";
const MONTH_NAME =
  "(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november" +
  "|december|jan|feb|mrt|apr|jun|jul|aug|sept|sep|okt|nov|dec)";
// prettier-ignore
const DATE =
  "(?:" + DAY + "[-/.]" + MONTH + "[-/.](?:19|20)?[0-9]{2}" +
  "|(?:19|20)[0-9]{2}-" + MONTH + "-" + DAY +
  "|" + DAY + "e? " + MONTH_NAME + "\\.? (?:19|20)[0-9]{2})" +
  "(?![0-9])";
const BIRTH_WORD =
  "(?:geboortedatum|geboortedag|geboren|geb\\.?datum|gebdat|geb\\.?|d\\.o\\.b\\.?|dob" +
  "|date of birth|born)(?![A-Za-z])";
// The keyword, then at most a few words (no digits, no clause break), then a date.
const BIRTH = new RegExp("(?:^|[^A-Za-z])" + BIRTH_WORD + "[^0-9,;.!?\\n]{0,18}" + DATE, "i");

/**
 * The BSN "elfproef": 9*d1 + 8*d2 + ... + 2*d8 - d9 is a multiple of 11 (and not 0).
 * @param {string} digits
 * @returns {boolean}
 */
export function passesElevenTest(digits) {
  if (!/^[0-9]{9}$/.test(digits)) return false;
  const weights = [9, 8, 7, 6, 5, 4, 3, 2, -1];
  let total = 0;
  for (let i = 0; i < 9; i += 1) total += Number(digits[i]) * weights[i];
  return total % 11 === 0 && digits !== "000000000";
}

/**
 * Start and end of the phone numbers in a text.
 * @param {string} text
 * @returns {Array<[number, number]>}
 */
function phoneSpans(text) {
  /** @type {Array<[number, number]>} */
  const spans = [];
  for (const match of text.matchAll(PHONE)) {
    const number = match[1];
    const start = (match.index ?? 0) + match[0].length - number.length;
    // A national number has one dash or dot at most: "01-02-2024 14" is a date and a time.
    const national = !(number.startsWith("+") || number.startsWith("00"));
    const marks = (number.match(/[.-]/g) ?? []).length;
    if (!national || marks <= 1) spans.push([start, start + number.length]);
  }
  return spans;
}

/**
 * @param {string} text
 * @param {Array<[number, number]>} phones
 * @returns {boolean}
 */
function hasBsn(text, phones) {
  for (const match of text.matchAll(BSN)) {
    const digits = match[1];
    const start = (match.index ?? 0) + match[0].length - digits.length;
    const end = start + digits.length;
    if (phones.some(([pStart, pEnd]) => start < pEnd && pStart < end)) continue;
    if (passesElevenTest(digits.replace(/[^0-9]/g, ""))) return true;
  }
  return false;
}

/**
 * The kinds of personal data a text seems to contain, in a fixed order.
 * @param {string} text
 * @returns {Kind[]}
 */
export function findPersonalData(text) {
  const phones = phoneSpans(text);
  /** @type {Kind[]} */
  const kinds = [];
  if (hasBsn(text, phones)) kinds.push("bsn");
  if (POSTCODE.test(text)) kinds.push("postcode");
  if (BIRTH.test(text)) kinds.push("birth_date");
  if (phones.length > 0) kinds.push("phone");
  if (EMAIL.test(text)) kinds.push("email");
  return kinds;
}
