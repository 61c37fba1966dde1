/**
 * Translations: one JSON catalogue per language and view, served from /static/i18n/<lang>/.
 *
 * Catalogues are flat objects of dotted keys ("connection.online": "verbonden"). Markup carries
 * keys only (data-i18n, data-i18n-attr), never text, so every visible string lives in a catalogue.
 * The chosen language is remembered in sessionStorage: for this tab only, nothing leaves the page.
 * @module i18n
 */

/** @typedef {"nl" | "en"} Language */

/** @type {readonly Language[]} */
export const LANGUAGES = Object.freeze(["nl", "en"]);
const DEFAULT_LANGUAGE = "nl";
const STORAGE_KEY = "tijdlijn.lang";

/** @type {Language} */
let language = DEFAULT_LANGUAGE;
/** @type {string | null} */
let currentView = null;
/** @type {Record<string, string>} */
let catalogue = {};
/** @type {Record<string, string>} Dutch, kept as a fallback when an English key is missing. */
let fallback = {};

function storedLanguage() {
  try {
    const value = sessionStorage.getItem(STORAGE_KEY);
    return LANGUAGES.includes(/** @type {Language} */ (value)) ? /** @type {Language} */ (value) : null;
  } catch {
    return null; // storage can be disabled; Dutch is fine then
  }
}

/** @param {Language} lang @param {string} view */
async function fetchCatalogue(lang, view) {
  const response = await fetch(`/static/i18n/${lang}/${view}.json`, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`catalogue ${lang}/${view}: HTTP ${response.status}`);
  return /** @type {Record<string, string>} */ (await response.json());
}

/** @param {Language} lang @param {string} view */
async function fetchAll(lang, view) {
  const [common, own] = await Promise.all([fetchCatalogue(lang, "common"), fetchCatalogue(lang, view)]);
  return { ...common, ...own };
}

/**
 * Load the common catalogue and the view's own one for the remembered language (Dutch by default).
 * Call once at start-up, before rendering.
 * A language asked for by the page (the wall's `?lang=en` link) wins and is remembered for the tab.
 * @param {string} view e.g. "participant", "wall", "home", "facilitator"
 * @param {string | null} [asked] a language the link asks for, if any
 * @returns {Promise<Language>} the language loaded
 */
export async function loadCatalogues(view, asked = null) {
  if (asked && LANGUAGES.includes(/** @type {Language} */ (asked))) {
    try {
      sessionStorage.setItem(STORAGE_KEY, asked);
    } catch {
      /* storage disabled: this load still uses it */
    }
    return load(view, /** @type {Language} */ (asked));
  }
  return load(view, storedLanguage() ?? DEFAULT_LANGUAGE);
}

/** @param {string} view @param {Language} lang */
async function load(view, lang) {
  currentView = view;
  language = lang;
  const loads = [fetchAll(language, view)];
  if (language !== DEFAULT_LANGUAGE) loads.push(fetchAll(DEFAULT_LANGUAGE, view));
  const [own, dutch] = await Promise.all(loads);
  catalogue = own;
  fallback = dutch ?? own;
  document.documentElement.lang = language;
  return language;
}

/** @returns {Language} the language in use */
export function getLanguage() {
  return language;
}

/**
 * Switch language: load its catalogues, remember the choice for this tab, translate the document
 * and fire a `languagechange` CustomEvent on window so views can re-render dynamic parts.
 * @param {Language} lang
 */
export async function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) throw new Error(`unknown language: ${lang}`);
  try {
    sessionStorage.setItem(STORAGE_KEY, lang);
  } catch {
    /* storage disabled: the choice lasts until reload */
  }
  if (currentView !== null) await load(currentView, lang);
  language = lang;
  document.documentElement.lang = lang;
  translateDom(document);
  window.dispatchEvent(new CustomEvent("languagechange", { detail: { language: lang } }));
}

/**
 * Translate a key. `{name}` placeholders are filled from params. With a numeric `params.count`,
 * the key `<key>.one` or `<key>.other` is used when the catalogue has it.
 * A missing key shows the key itself, so a gap is visible rather than silent.
 * @param {string} key
 * @param {Record<string, string | number>} [params]
 * @returns {string}
 */
export function t(key, params = {}) {
  let text;
  if (typeof params.count === "number") {
    const plural = `${key}.${params.count === 1 ? "one" : "other"}`;
    text = catalogue[plural] ?? fallback[plural];
  }
  text ??= catalogue[key] ?? fallback[key];
  if (text === undefined) {
    console.warn(`i18n: missing key ${key}`);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
}

/**
 * Whether a key exists in the loaded catalogues (for optional texts such as kinds of data).
 * @param {string} key
 */
export function hasKey(key) {
  return Object.hasOwn(catalogue, key) || Object.hasOwn(fallback, key);
}

/**
 * Translate every element under root (inclusive) that carries
 * `data-i18n="key"` (sets textContent) or `data-i18n-attr="attr:key; attr2:key2"` (sets attributes).
 * @param {ParentNode & Node} [root]
 */
export function translateDom(root = document) {
  /** @type {Element[]} */
  const nodes = [];
  if (root instanceof Element && (root.hasAttribute("data-i18n") || root.hasAttribute("data-i18n-attr"))) {
    nodes.push(root);
  }
  nodes.push(...root.querySelectorAll("[data-i18n], [data-i18n-attr]"));
  for (const node of nodes) {
    const key = node.getAttribute("data-i18n");
    if (key) node.textContent = t(key);
    const attrs = node.getAttribute("data-i18n-attr");
    if (attrs) {
      for (const pair of attrs.split(";")) {
        const [attr, attrKey] = pair.split(":").map((s) => s.trim());
        if (attr && attrKey && !attr.toLowerCase().startsWith("on")) node.setAttribute(attr, t(attrKey));
      }
    }
  }
  if (root === document) {
    const title = document.querySelector("title[data-i18n]");
    if (title) document.title = title.textContent ?? "";
  }
}

/**
 * A readable message for a failed ack `{ok:false, error:{code, message}}`. In Dutch the server's
 * own message is the most precise; in other languages the code's catalogue text is used.
 * @param {{code?: string, message?: string} | undefined} error
 * @returns {string}
 */
export function errorMessage(error) {
  const code = error?.code ?? "error";
  if (language === "nl" && error?.message) return error.message;
  const key = `error.${code}`;
  return catalogue[key] ?? fallback[key] ?? error?.message ?? t("error.error");
}

/**
 * Format a timestamp (seconds since the epoch, as the server sends) as a local time of day.
 * @param {number} seconds
 */
export function formatTime(seconds) {
  return new Intl.DateTimeFormat(language === "nl" ? "nl-NL" : "en-GB", {
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(seconds * 1000));
}

/**
 * A calendar date ("2027-03-01") as people read it ("1 maart 2027"): the pattern and the month
 * names come from the common catalogue, the same words the report prints
 * (server/tijdlijn/words.py). Anything that is not an ISO date is returned as it is.
 * @param {string | null | undefined} iso
 */
export function formatDay(iso) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso ?? "");
  if (!match) return iso ?? "";
  return t("date.format", { day: Number(match[3]), month: t(`date.month.${Number(match[2])}`), year: match[1] });
}

/**
 * Format a moment as a day and a time ("3 december 2026 om 14:05" in Dutch).
 * @param {Date} date
 */
export function formatDate(date) {
  return new Intl.DateTimeFormat(language === "nl" ? "nl-NL" : "en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  }).format(date);
}

/**
 * A small language switch (a labelled <select>) that calls setLanguage on change.
 * @returns {HTMLElement}
 */
export function languagePicker() {
  const wrapper = document.createElement("div");
  wrapper.className = "language-picker";
  const id = `lang-${Math.random().toString(36).slice(2, 8)}`;
  const label = document.createElement("label");
  label.htmlFor = id;
  label.setAttribute("data-i18n", "language.label");
  label.textContent = t("language.label");
  const select = document.createElement("select");
  select.id = id;
  for (const lang of LANGUAGES) {
    const option = document.createElement("option");
    option.value = lang;
    option.setAttribute("data-i18n", `language.${lang}`);
    option.textContent = t(`language.${lang}`);
    option.selected = lang === language;
    select.append(option);
  }
  select.addEventListener("change", () => {
    void setLanguage(/** @type {Language} */ (select.value));
  });
  wrapper.append(label, select);
  return wrapper;
}
