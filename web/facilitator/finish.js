/**
 * Afronden: the follow-up date and invitation, the report, the follow-up pack, the export, and
 * "end and delete" with its receipt. Files come through fetch with the token in a header, then a
 * Blob and an object URL: the token never appears in a URL.
 * @module facilitator/finish
 */

import { errorMessage, formatDay, t } from "../shared/i18n.js";
import { interpretationsFor, orderedMoments, partyOf } from "../shared/state.js";
import { suggestedFollowUp } from "./agenda.js";
import { httpError, postForFile, saveBlob } from "../shared/http.js";
import { endMeeting } from "./end.js";
import { momentLabel } from "./interp.js";
import * as method from "./method.js";
import { byId, button, confirmDialog, el, partyChip, piiMark, toast } from "./ui.js";

/** @type {Record<string, string>} */
const EXTENSIONS = { html: "html", pdf: "pdf", md: "md" };
// Interpretations the facilitator allowed verbatim in the report; kept across re-renders.
const verbatim = new Set();

export function setup(/** @type {import("./console.js").Ctx} */ ctx) {
  byId("followup-date-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const date = byId("followup-date", HTMLInputElement).value;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return byId("followup-date", HTMLInputElement).focus();
    const ack = await ctx.send("meeting.update", { follow_up_date: date });
    if (ack.ok) toast(t("finish.followup_saved"));
  });

  byId("ics-title", HTMLInputElement).value = t("finish.ics_default_title");
  byId("ics-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!ctx.meeting.follow_up_date) {
      toast(t("finish.ics_needs_date"), "error");
      byId("followup-date", HTMLInputElement).focus();
      return;
    }
    const title = byId("ics-title", HTMLInputElement).value.trim() || t("finish.ics_default_title");
    await download(ctx, "/api/followup/ics", { title }, "terugkijkmoment.ics");
  });

  byId("report-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const format =
      /** @type {HTMLInputElement | null} */ (byId("report-form").querySelector('input[name="report-format"]:checked'))
        ?.value || "html";
    const ids = [...verbatim].filter((id) => ctx.meeting.interpretations[id]);
    await download(
      ctx,
      "/api/report",
      { format, include_initials: byId("report-initials", HTMLInputElement).checked, include_interpretation_ids: ids },
      `verslag.${EXTENSIONS[format]}`,
    );
  });

  byId("download-pack").addEventListener("click", () => download(ctx, "/api/followup/pack", {}, "vervolgpakket.json"));
  byId("download-export").addEventListener("click", () =>
    download(ctx, "/api/export", {}, "voorbereide-bijeenkomst.json"),
  );
  byId("end-open").addEventListener("click", () => endAndDelete(ctx));
}

async function download(
  /** @type {import("./console.js").Ctx} */ ctx,
  /** @type {string} */ path,
  /** @type {Record<string, unknown>} */ body,
  /** @type {string} */ fallbackName,
) {
  try {
    const { blob, filename } = await postForFile(path, body, ctx.token);
    saveBlob(blob, filename || fallbackName);
    toast(t("finish.downloaded", { name: filename || fallbackName }));
  } catch (caught) {
    const error = httpError(caught);
    if (error.code === "meeting_gone") ctx.gone("deleted");
    else toast(error.code === "offline" ? t("finish.offline") : errorMessage(error), "error");
  }
}

export function render(/** @type {import("./console.js").Ctx} */ ctx) {
  const m = ctx.meeting;
  const date = byId("followup-date", HTMLInputElement);
  if (document.activeElement !== date) date.value = m.follow_up_date || suggestedFollowUp();
  byId("followup-current").textContent = m.follow_up_date
    ? t("finish.followup_set", { date: formatDay(m.follow_up_date) })
    : t("finish.followup_unset");
  renderVerbatim(ctx);
  method.renderFinish(ctx);
}

function renderVerbatim(/** @type {import("./console.js").Ctx} */ ctx) {
  const m = ctx.meeting;
  const groups = [];
  for (const moment of orderedMoments(m)) {
    const interps = interpretationsFor(m, moment.id);
    if (!interps.length) continue;
    groups.push(
      el(
        "div",
        { class: "verbatim-group" },
        el("p", { class: "verbatim-moment", text: momentLabel(ctx, moment) }),
        el(
          "ul",
          { class: "verbatim-list" },
          ...interps.map((interp) => {
            const id = `verbatim-${interp.id}`;
            const box = el("input", {
              attrs: { type: "checkbox", id, checked: verbatim.has(interp.id) },
              data: { key: id, testid: "verbatim-checkbox" },
            });
            box.addEventListener("change", () => {
              if (box.checked) verbatim.add(interp.id);
              else verbatim.delete(interp.id);
            });
            return el(
              "li",
              { class: "check" },
              box,
              el(
                "label",
                { attrs: { for: id } },
                partyChip(partyOf(m, interp.party_id)),
                " ",
                el("span", { text: interp.text }),
                interp.pii ? piiMark() : null,
              ),
            );
          }),
        ),
      ),
    );
  }
  const box = byId("report-verbatim");
  if (!groups.length) {
    box.replaceChildren(el("p", { class: "empty", i18n: "report.verbatim_none" }));
    return;
  }
  box.replaceChildren(
    el(
      "div",
      { class: "button-row button-row-small" },
      button("report.select_all", () => setAll(ctx, true), { key: "verbatim-all" }),
      button("report.select_none", () => setAll(ctx, false), { key: "verbatim-none" }),
    ),
    ...groups,
  );
}

function setAll(/** @type {import("./console.js").Ctx} */ ctx, /** @type {boolean} */ on) {
  verbatim.clear();
  if (on) for (const id of Object.keys(ctx.meeting.interpretations)) verbatim.add(id);
  renderVerbatim(ctx);
}

async function endAndDelete(/** @type {import("./console.js").Ctx} */ ctx) {
  const gone = ["end.gone_moments", "end.gone_links", "end.gone_devices"].map((key) => el("li", { text: t(key) }));
  const ok = await confirmDialog({
    title: t("end.confirm_title"),
    lines: [
      el("p", { text: t("end.confirm_lead") }),
      el("ul", { class: "gone-list" }, ...gone),
      el("p", { class: "warning", text: t("end.confirm_report_first") }),
      el("p", { text: t("end.confirm_irreversible") }),
    ],
    confirm: "end.confirm",
    danger: true,
    testid: "end",
  });
  if (!ok) return;
  ctx.ending = true;
  byId("end-open", HTMLButtonElement).disabled = true;
  const ack = await endMeeting(ctx.token);
  if (ack.ok) {
    ctx.deleted(ack.receipt || {});
    return;
  }
  ctx.ending = false;
  byId("end-open", HTMLButtonElement).disabled = false;
  if (ack.error?.code === "no_receipt") ctx.gone("no_receipt");
  else if (ack.error?.code === "meeting_gone") ctx.gone("deleted");
  else toast(errorMessage(ack.error), "error");
}
