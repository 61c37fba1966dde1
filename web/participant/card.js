/**
 * One moment on the phone: its text, the interpretations under it (each with its party's name and
 * colour), and the forms to add an interpretation or flag a theme. Cards are kept and updated in
 * place, so what someone is typing survives every incoming event.
 * @module participant/card
 */

import { confirmPersonalData } from "../shared/pii_guard.js";
import { announce, append, el, keyedList, paintParty, partyChip, replace, setText } from "../shared/dom.js";
import { errorMessage, t } from "../shared/i18n.js";
import { absentMarker } from "../shared/absent.js";
import { interpretationsFor, partyOf, themesOn } from "../shared/state.js";

/**
 * @typedef {object} CardContext
 * @property {() => import("../shared/state.js").Meeting} meeting
 * @property {(name: string, payload: Record<string, unknown>) => Promise<any>} send
 * @property {Set<string>} own ids of this participant's interpretations
 * @property {string} partyId
 * @property {(momentId: string, text: string) => Promise<string | null>} addInterpretation
 *   resolves with an error message, or null once the server has it
 * @property {(momentId: string) => {key: string, text: string, waiting: boolean}[]} pendingFor
 * @property {Map<string, string>} drafts half-typed interpretation per moment id
 * @property {Set<string>} ownFlags "themeId|target|id" of the theme flags this phone made
 * @property {(key: string) => void} flagTaken a flag this phone made is known
 * @property {() => void} formChanged a form opened or closed (a held moment may move on)
 */

/** Above this length a moment's text is folded to a few lines, with "meer" to read it all. */
const FOLD_AT = 160;
/** From this share of the limit on, a counter shows how many characters are left. */
const COUNT_FROM = 0.8;

/** @param {string} themeId @param {string} target @param {string} id */
export const flagKey = (themeId, target, id) => `${themeId}|${target}|${id}`;

let counter = 0;
const uid = (/** @type {string} */ prefix) => `${prefix}-${++counter}`;

/**
 * A small inline form: a text field, an optional pii check, submit and cancel.
 * @param {{label: string, multiline: boolean, submitKey: string, list?: string,
 *   initial?: string, onInput?: (text: string) => void, check?: boolean,
 *   onSubmit: (text: string) => Promise<string | null>, onClose: () => void}} spec
 *   onSubmit resolves with an error message, or null when done
 */
function inlineForm(spec) {
  const id = uid("field");
  const field = spec.multiline
    ? el("textarea", { attrs: { id, rows: 3, maxlength: 2000 } })
    : el("input", { attrs: { id, type: "text", maxlength: 60, list: spec.list, autocomplete: "off" } });
  field.value = spec.initial ?? "";
  const max = Number(field.getAttribute("maxlength"));
  const counter = el("p", { class: "inline-form__count", attrs: { "aria-live": "polite", id: `${id}-count` } });
  field.setAttribute("aria-describedby", counter.id);
  const count = () => {
    const left = max - field.value.length;
    setText(counter, field.value.length >= max * COUNT_FROM ? t("participant.chars_left", { count: left }) : "");
    counter.dataset.full = String(left <= 0);
  };
  count();
  field.addEventListener("input", () => {
    count();
    spec.onInput?.(field.value);
  });
  const warn = el("div", { class: "inline-form__warn" });
  const error = el("div", { class: "inline-form__error", attrs: { role: "alert" } });
  const form = el(
    "form",
    { class: "inline-form", attrs: { novalidate: true } },
    el("label", { attrs: { for: id }, text: spec.label }),
    field,
    counter,
    warn,
    error,
    el(
      "div",
      { class: "inline-form__buttons" },
      el("button", { class: "button button--primary", attrs: { type: "submit" }, i18n: spec.submitKey }),
      el("button", {
        class: "button button--quiet",
        attrs: { type: "button" },
        i18n: "participant.cancel",
        on: { click: () => spec.onClose() },
      }),
    ),
  );
  let busy = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = field.value.trim();
    if (busy) return;
    if (!text) {
      setText(error, t("participant.empty"));
      field.focus();
      return;
    }
    busy = true;
    try {
      if (spec.check && !(await confirmPersonalData(text, warn, field))) return;
      setText(error, "");
      const problem = await spec.onSubmit(text);
      if (problem) {
        setText(error, problem);
        field.focus();
      }
    } finally {
      busy = false;
    }
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") spec.onClose();
  });
  return { form, field };
}

/** @param {HTMLElement} slot @param {HTMLElement} opener */
function closeInto(slot, opener) {
  replace(slot);
  opener.setAttribute("aria-expanded", "false");
  opener.focus();
}

/**
 * The "Thema" button and its form for one moment or interpretation.
 * @param {CardContext} ctx
 * @param {"moment"|"interpretation"} target
 * @param {string} id
 * @param {string} name the button's accessible name: "Thema" plus what it is for
 */
function themeControl(ctx, target, id, name) {
  const slot = el("div", { class: "theme-slot" });
  const opener = el("button", {
    class: "button button--quiet button--small",
    attrs: { type: "button", "aria-expanded": "false", "aria-label": name },
    i18n: "participant.theme.open",
  });
  opener.addEventListener("click", () => {
    if (slot.firstChild) return closeInto(slot, opener);
    const { form, field } = inlineForm({
      label: t("participant.theme.label"),
      multiline: false,
      submitKey: "participant.theme.submit",
      list: "theme-labels",
      onClose: () => closeInto(slot, opener),
      onSubmit: async (label) => {
        const ack = await ctx.send("theme.flag", { label, target, id });
        if (!ack.ok) return errorMessage(ack.error);
        if (typeof ack.id === "string") ctx.flagTaken(flagKey(ack.id, target, id));
        closeInto(slot, opener);
        return null;
      },
    });
    replace(slot, form);
    opener.setAttribute("aria-expanded", "true");
    field.focus();
  });
  return { opener, slot };
}

/**
 * The themes on a moment or interpretation; a flag this phone made can be taken back.
 * @param {CardContext} ctx
 * @param {"moment"|"interpretation"} target
 * @param {string} id
 */
function themeTags(ctx, target, id) {
  const themes = themesOn(ctx.meeting(), target, id);
  if (themes.length === 0) return null;
  return el(
    "ul",
    { class: "theme-tags", attrs: { "aria-label": t("participant.theme.tags") } },
    ...themes.map((theme) => {
      const key = flagKey(theme.id, target, id);
      if (!ctx.ownFlags.has(key)) return el("li", { class: "theme-tag", text: `# ${theme.label}` });
      const undo = el("button", {
        class: "theme-tag__undo",
        attrs: { type: "button", "aria-label": t("participant.theme.undo_name", { label: theme.label }) },
        text: "×",
      });
      const item = el("li", { class: "theme-tag theme-tag--own" }, `# ${theme.label} `, undo);
      undo.addEventListener("click", async () => {
        undo.disabled = true;
        const ack = await ctx.send("theme.unflag", { theme_id: theme.id, target, id });
        if (ack.ok) {
          ctx.ownFlags.delete(key);
          ctx.flagTaken("");
          announce(t("participant.theme.undone", { label: theme.label }));
        } else {
          undo.disabled = false;
          item.append(
            el("span", { class: "inline-form__error", attrs: { role: "alert" }, text: errorMessage(ack.error) }),
          );
        }
      });
      return item;
    }),
  );
}

/**
 * One interpretation; updated in place so an open edit form keeps its text and focus.
 * @param {CardContext} ctx
 * @param {import("../shared/state.js").Interpretation} item
 * @param {HTMLElement | undefined} previous
 */
function interpretationItem(ctx, item, previous) {
  const meeting = ctx.meeting();
  const party = partyOf(meeting, item.party_id);
  const own = ctx.own.has(item.id);
  const signature = JSON.stringify([
    item.text,
    item.party_id,
    own,
    party?.name,
    party?.colour,
    Boolean(party?.absent),
    themesOn(meeting, "interpretation", item.id).map((th) => [
      th.label,
      ctx.ownFlags.has(flagKey(th.id, "interpretation", item.id)),
    ]),
  ]);
  if (previous && previous.dataset.sig === signature) return previous;
  const li = previous ?? el("li", { class: "interp party-edge", data: { interpretationId: item.id } });
  li.dataset.sig = signature;
  li.dataset.partyId = item.party_id;
  paintParty(li, party);
  // Keep open forms (edit, theme) of a reused item; rebuild only what shows the data.
  const forms =
    /** @type {HTMLElement | null} */ (previous?.querySelector(":scope > .interp__forms")) ??
    el("div", { class: "interp__forms" });
  const text = el("p", { class: "interp__text", text: item.text });
  const actions = el("div", { class: "interp__actions" });
  const theme = themeControl(
    ctx,
    "interpretation",
    item.id,
    t("participant.theme.open_interpretation", { party: party?.name ?? "" }),
  );
  // Buttons repeat per item; their accessible names say which item they act on.
  const short = item.text.length > 40 ? `${item.text.slice(0, 40)}…` : item.text;
  if (own) {
    const edit = el("button", {
      class: "button button--quiet button--small",
      attrs: { type: "button", "aria-label": t("participant.own.edit_name", { text: short }) },
      i18n: "participant.own.edit",
    });
    edit.addEventListener("click", () => {
      const { form, field } = inlineForm({
        label: t("participant.own.edit_label"),
        multiline: true,
        submitKey: "participant.own.save",
        initial: item.text,
        check: true,
        onClose: () => closeInto(forms, edit),
        onSubmit: async (value) => {
          const ack = await ctx.send("interpretation.update", { id: item.id, text: value });
          if (!ack.ok) return errorMessage(ack.error);
          closeInto(forms, edit);
          return null;
        },
      });
      replace(forms, form);
      field.focus();
    });
    const remove = el("button", {
      class: "button button--quiet button--small",
      attrs: { type: "button", "aria-label": t("participant.own.delete_name", { text: short }) },
      i18n: "participant.own.delete",
    });
    remove.addEventListener("click", () => {
      const error = el("p", { class: "inline-form__error", attrs: { role: "alert" } });
      const yes = el("button", {
        class: "button button--danger button--small",
        attrs: { type: "button" },
        i18n: "participant.own.delete_yes",
      });
      const no = el("button", {
        class: "button button--quiet button--small",
        attrs: { type: "button" },
        i18n: "participant.own.delete_no",
      });
      yes.addEventListener("click", async () => {
        const ack = await ctx.send("interpretation.remove", { id: item.id });
        if (!ack.ok) setText(error, errorMessage(ack.error));
      });
      no.addEventListener("click", () => closeInto(forms, remove));
      replace(
        forms,
        el(
          "div",
          { class: "notice notice--warning" },
          el("p", { i18n: "participant.own.delete_confirm" }),
          el("div", { class: "notice__actions" }, yes, no),
          error,
        ),
      );
      no.focus();
    });
    append(actions, edit, remove);
  }
  append(actions, theme.opener);
  replace(
    li,
    el(
      "div",
      { class: "interp__meta" },
      partyChip(party),
      absentMarker(meeting, item),
      own ? el("span", { class: "interp__own", i18n: "participant.own.tag" }) : null,
    ),
    text,
    themeTags(ctx, "interpretation", item.id),
    actions,
    theme.slot,
    forms,
  );
  return li;
}

/**
 * A moment card. update() re-reads the meeting and redraws only what changed.
 * @param {CardContext} ctx
 * @param {string} momentId
 */
export function momentCard(ctx, momentId) {
  const when = el("p", { class: "moment-card__when" });
  const source = el("div", { class: "moment-card__source" });
  const text = el("p", { class: "moment-card__text", attrs: { id: uid("moment-text") } });
  const more = el("button", {
    class: "button button--quiet button--small moment-card__more",
    attrs: { type: "button", "aria-expanded": "false", "aria-controls": text.id },
    i18n: "participant.more",
  });
  more.addEventListener("click", () => {
    const open = more.getAttribute("aria-expanded") !== "true";
    more.setAttribute("aria-expanded", String(open));
    text.dataset.folded = String(!open);
    setText(more, t(open ? "participant.less" : "participant.more"));
  });
  const tags = el("div", { class: "moment-card__tags" });
  const list = el("ul", { class: "interp-list", attrs: { "aria-label": t("participant.interpretations") } });
  const pendingList = el("ul", { class: "pending-list" });
  const count = el("p", { class: "moment-card__count" });
  const formSlot = el("div", { class: "moment-card__form" });
  const add = el("button", {
    class: "button button--primary moment-card__add",
    attrs: { type: "button", "aria-expanded": "false" },
    i18n: "participant.add.open",
  });
  const theme = themeControl(ctx, "moment", momentId, t("participant.theme.open_moment"));
  const root = el(
    "article",
    { class: "moment-card", data: { momentId } },
    when,
    text,
    more,
    source,
    tags,
    el("div", { class: "moment-card__actions" }, add, theme.opener),
    formSlot,
    theme.slot,
    pendingList,
    count,
    list,
  );

  function openForm() {
    if (formSlot.firstChild) {
      /** @type {HTMLElement | null} */ (formSlot.querySelector("textarea"))?.focus();
      return;
    }
    const party = partyOf(ctx.meeting(), ctx.partyId);
    const { form, field } = inlineForm({
      label: t("participant.add.label", { party: party?.name ?? "" }),
      multiline: true,
      submitKey: "participant.add.submit",
      check: true,
      initial: ctx.drafts.get(momentId) ?? "",
      onInput: (value) => ctx.drafts.set(momentId, value),
      onClose: () => {
        closeInto(formSlot, add);
        ctx.formChanged();
      },
      onSubmit: async (value) => {
        ctx.drafts.delete(momentId);
        closeInto(formSlot, add);
        ctx.formChanged();
        const problem = await ctx.addInterpretation(momentId, value);
        if (problem) {
          // Refused (not lost): put the text back where it was typed, with the reason.
          ctx.drafts.set(momentId, value);
          openForm();
          const error = formSlot.querySelector(".inline-form__error");
          if (error) setText(error, problem);
        }
        return null;
      },
    });
    replace(formSlot, form);
    add.setAttribute("aria-expanded", "true");
    field.focus();
  }
  add.addEventListener("click", openForm);

  return {
    root,
    openForm,
    /** Someone is writing here: the form has the focus, or text not yet sent. */
    busy() {
      const area = /** @type {HTMLTextAreaElement | null} */ (formSlot.querySelector("textarea"));
      return Boolean(area && (document.activeElement === area || area.value.trim()));
    },
    /** @param {boolean} isCurrent */
    update(isCurrent) {
      const meeting = ctx.meeting();
      const moment = meeting.moments[momentId];
      if (!moment) return;
      // Most events leave most cards as they were: skip those (a reveal must paint fast).
      const items = interpretationsFor(meeting, momentId);
      const pending = ctx.pendingFor(momentId);
      const signature = JSON.stringify([
        isCurrent,
        moment.text,
        moment.when,
        moment.source_party_id,
        partyOf(meeting, moment.source_party_id)?.name,
        themesOn(meeting, "moment", momentId).map((th) => [
          th.id,
          th.label,
          ctx.ownFlags.has(flagKey(th.id, "moment", momentId)),
        ]),
        items.map((i) => [
          i.id,
          i.text,
          i.party_id,
          ctx.own.has(i.id),
          partyOf(meeting, i.party_id)?.name,
          partyOf(meeting, i.party_id)?.colour,
          themesOn(meeting, "interpretation", i.id).map((th) => [
            th.label,
            ctx.ownFlags.has(flagKey(th.id, "interpretation", i.id)),
          ]),
        ]),
        pending,
        document.documentElement.lang,
      ]);
      if (root.dataset.sig === signature) return;
      root.dataset.sig = signature;
      root.classList.toggle("moment-card--current", isCurrent);
      setText(when, moment.when);
      when.hidden = !moment.when;
      setText(text, moment.text);
      // A long moment folds to a few lines so "Duiding toevoegen" stays on the first screen.
      const long = moment.text.length > FOLD_AT;
      more.hidden = !long;
      if (!long) text.dataset.folded = "false";
      else if (more.getAttribute("aria-expanded") !== "true") text.dataset.folded = "true";
      const sourceParty = partyOf(meeting, moment.source_party_id);
      replace(
        source,
        sourceParty ? el("span", { class: "moment-card__source-label", i18n: "moment.source" }) : null,
        sourceParty ? partyChip(sourceParty) : null,
      );
      replace(tags, themeTags(ctx, "moment", momentId));
      setText(count, items.length ? t("participant.count", { count: items.length }) : t("participant.count_none"));
      keyedList(
        list,
        items,
        (i) => i.id,
        (i, prev) => interpretationItem(ctx, i, prev),
      );
      keyedList(
        pendingList,
        pending,
        (p) => p.key,
        (p) =>
          el(
            "li",
            { class: "pending", data: { pending: p.waiting ? "waiting" : "sending" } },
            el("p", { class: "interp__text", text: p.text }),
            el("p", {
              class: "pending__state",
              i18n: p.waiting ? "participant.pending.waiting" : "participant.pending.sending",
            }),
          ),
      );
    },
    refreshDraft() {
      const area = /** @type {HTMLTextAreaElement | null} */ (formSlot.querySelector("textarea"));
      if (area && !area.value) area.value = ctx.drafts.get(momentId) ?? "";
    },
  };
}

/** @param {HTMLElement} slot @param {string} message */
export function showError(slot, message) {
  replace(slot, message ? el("p", { class: "notice notice--error", attrs: { role: "alert" }, text: message }) : null);
}
