/**
 * Order moments by their free-text "when" ("maart 2024", "12-03-2024", "2024-03-12", "week 12
 * 2024", "voorjaar 2023"). Returns a sortable number, or null when no year is in the text: those
 * go last, in the order they came in.
 * @module when
 */

const MONTHS = [
  ["jan"],
  ["feb"],
  ["maa", "mrt", "mar"],
  ["apr"],
  ["mei", "may"],
  ["jun"],
  ["jul"],
  ["aug"],
  ["sep"],
  ["okt", "oct"],
  ["nov"],
  ["dec"],
];
const SEASONS = { voorjaar: 4, lente: 4, zomer: 7, najaar: 10, herfst: 10, winter: 1, begin: 1, eind: 12 };

/** @param {string} text @returns {number | null} */
export function whenKey(text) {
  const s = String(text ?? "").toLowerCase();
  let m = s.match(/\b(\d{4})-(\d{1,2})-(\d{1,2})\b/);
  if (m) return Number(m[1]) * 10000 + Number(m[2]) * 100 + Number(m[3]);
  m = s.match(/\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\b/);
  if (m) return Number(m[3]) * 10000 + Number(m[2]) * 100 + Number(m[1]);
  const year = s.match(/\b(19|20)\d{2}\b/);
  if (!year) return null;
  let month = 0;
  let day = 0;
  const week = s.match(/\bweek\s*(\d{1,2})\b/);
  if (week) month = Math.min(12, Math.ceil(Number(week[1]) / 4.35));
  for (let i = 0; i < MONTHS.length && !month; i++) {
    if (MONTHS[i].some((p) => new RegExp(`\\b${p}[a-z]*\\b`).test(s))) month = i + 1;
  }
  if (month) {
    const d = s.match(/\b(\d{1,2})\s+[a-z]/);
    if (d && Number(d[1]) <= 31) day = Number(d[1]);
  } else {
    for (const [word, value] of Object.entries(SEASONS)) if (s.includes(word)) month = value;
  }
  return Number(year[0]) * 10000 + month * 100 + day;
}

/**
 * Sort items with a ``when`` text and a ``created_at`` time: by date when known, then unknown ones.
 * @template {{when: string, created_at: number}} T
 * @param {T[]} items
 * @returns {T[]}
 */
export function byWhen(items) {
  return [...items].sort((a, b) => {
    const ka = whenKey(a.when);
    const kb = whenKey(b.when);
    if (ka !== null && kb !== null && ka !== kb) return ka - kb;
    if ((ka === null) !== (kb === null)) return ka === null ? 1 : -1;
    return a.created_at - b.created_at;
  });
}
