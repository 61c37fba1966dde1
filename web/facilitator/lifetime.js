/**
 * How long the server keeps this meeting, in sight while preparing: a preparation is kept until
 * the day after its planned date (at most 30 days after the last change), so the facilitator
 * sets that date here, sees the day it would be removed, and is warned well before with the
 * export one click away.
 * @module lifetime
 */

import { formatDate, t } from "../shared/i18n.js";
import { el, replace } from "../shared/dom.js";

const DAY = 24 * 3600;
// Warn this long before a preparation would be removed; a live meeting an hour before.
const WARN_PREPARATION = 3 * DAY;
const WARN_LIVE = 3600;

/**
 * @param {HTMLElement} box where the notice goes
 * @param {Pick<import("./console.js").Ctx, "meeting" | "now" | "send">} ctx
 * @param {number | null} expiresAt Unix seconds, from the latest capsule
 * @param {() => void} exportNow downloads the prepared meeting
 */
export function renderLifetime(box, ctx, expiresAt, exportNow) {
  const meeting = ctx.meeting;
  if (!meeting || expiresAt === null || meeting.phase === "closed") {
    replace(box);
    box.hidden = true;
    return;
  }
  const left = expiresAt - ctx.now();
  const preparing = meeting.phase === "preparation";
  const warn = left < (preparing ? WARN_PREPARATION : WARN_LIVE);
  if (!preparing && !warn) {
    replace(box);
    box.hidden = true;
    return;
  }
  box.hidden = false;
  box.className = warn ? "notice notice--warning lifetime" : "notice lifetime";
  const when = formatDate(new Date(expiresAt * 1000));
  const parts = [el("p", { text: t(warn ? "lifetime.warning" : "lifetime.kept_until", { date: when }) })];
  const actions = el("div", { class: "notice__actions" });
  if (preparing) {
    const input = el("input", { attrs: { type: "date", id: "planned-date", value: meeting.planned_date ?? "" } });
    const save = el("button", {
      class: "button button--small",
      attrs: { type: "button", "data-testid": "planned-date-save" },
      text: t("lifetime.save_date"),
      on: {
        click: async () => {
          const value = /** @type {HTMLInputElement} */ (input).value;
          if (!value) return;
          const ack = await ctx.send("meeting.update", { planned_date: value });
          if (ack.ok) box.dataset.saved = value;
        },
      },
    });
    actions.append(el("label", { attrs: { for: "planned-date" }, text: t("lifetime.planned_date") }), input, save);
  }
  if (warn && preparing) {
    actions.append(
      el("button", {
        class: "button button--small button--primary",
        attrs: { type: "button", "data-testid": "lifetime-export" },
        text: t("lifetime.export"),
        on: { click: exportNow },
      }),
    );
  }
  parts.push(actions);
  replace(box, ...parts);
}
