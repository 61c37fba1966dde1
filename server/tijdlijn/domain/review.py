"""Deciding what the meeting makes of the timeline: themes, common threads, lessons, agreements."""

from __future__ import annotations

from typing import Literal

from ..errors import Conflict, Forbidden, Invalid, LimitReached, NotFound
from . import commands as c
from . import items
from .context import Ctx, Result
from .items import holds_personal_data
from .limits import LIMITS


# themes
def theme_flag(x: Ctx, cmd: c.ThemeFlag) -> Result:
    if cmd.target == "moment":
        moment = x.revealed_moment(cmd.id)
    else:
        interp = x.get("interpretations", cmd.id, "Deze duiding")
        moment = x.revealed_moment(interp["moment_id"])
    if moment["state"] != "revealed":
        raise Conflict("Thema's horen bij getoonde momenten.")
    if cmd.theme_id is not None:
        theme = x.get("themes", cmd.theme_id, "Dit thema")
    elif cmd.label is not None:
        label = cmd.label.casefold()
        existing = [t for t in x.s["themes"].values() if t["label"].casefold() == label]
        if existing:
            theme = existing[0]
        else:
            x.room("themes")
            theme = items.theme(x.new_id(), cmd.label)
    else:
        raise Invalid("Kies een thema of geef een nieuw label.")
    if len(theme["flags"]) >= LIMITS["flags_per_theme"]:
        raise LimitReached()
    new_flag: items.Flag = {"target": cmd.target, "id": cmd.id}
    if x.actor.participant_id:
        new_flag["author"] = x.actor.participant_id
    x.s["themes"][theme["id"]] = {**theme, "flags": [*theme["flags"], new_flag]}
    return "theme.flagged", {"id": theme["id"]}


def theme_unflag(x: Ctx, cmd: c.ThemeUnflag) -> Result:
    theme = x.get("themes", cmd.theme_id, "Dit thema")
    flags = list(theme["flags"])
    on_target = [f for f in flags if f["target"] == cmd.target and f["id"] == cmd.id]
    if not on_target:
        raise NotFound("Dit thema staat niet op dit onderdeel.")
    if x.actor.role == "facilitator":
        gone = on_target[0]
    else:
        # A participant takes back only a flag of their own (one made by mistake).
        x.revealed_moment(
            cmd.id
            if cmd.target == "moment"
            else x.get("interpretations", cmd.id, "Deze duiding")["moment_id"]
        )
        mine = [f for f in on_target if f.get("author") == x.actor.participant_id]
        if not mine:
            raise Forbidden("Je kunt alleen een thema terugnemen dat je zelf hebt toegevoegd.")
        gone = mine[0]
    flags.remove(gone)
    x.s["themes"][cmd.theme_id] = {**theme, "flags": flags}
    return "theme.unflagged", {}


def theme_rename(x: Ctx, cmd: c.ThemeRename) -> Result:
    theme = x.get("themes", cmd.id, "Dit thema")
    if any(
        t["label"].casefold() == cmd.label.casefold() and t["id"] != cmd.id
        for t in x.s["themes"].values()
    ):
        raise Conflict("Er is al een thema met dit label; voeg ze samen.")
    x.s["themes"][cmd.id] = {**theme, "label": cmd.label}
    return "theme.renamed", {}


def theme_merge(x: Ctx, cmd: c.ThemeMerge) -> Result:
    if cmd.id == cmd.into:
        raise Invalid("Een thema kan niet met zichzelf samengaan.")
    source = x.get("themes", cmd.id, "Dit thema")
    target = x.get("themes", cmd.into, "Dit thema")
    x.s["themes"][cmd.into] = {**target, "flags": [*target["flags"], *source["flags"]]}
    del x.s["themes"][cmd.id]
    _retarget_threads(x, cmd.id, cmd.into)
    return "theme.merged", {}


def _retarget_threads(x: Ctx, old: str, new: str | None) -> None:
    for tid, thread in list(x.s["threads"].items()):
        if old in thread["theme_ids"]:
            ids = [t for t in thread["theme_ids"] if t != old]
            if new is not None and new not in ids:
                ids.append(new)
            x.s["threads"][tid] = {**thread, "theme_ids": ids}


def theme_remove(x: Ctx, cmd: c.ThemeRemove) -> Result:
    x.get("themes", cmd.id, "Dit thema")
    del x.s["themes"][cmd.id]
    _retarget_threads(x, cmd.id, None)
    return "theme.removed", {}


# common threads
def _links(x: Ctx, moment_ids: list[str], theme_ids: list[str]) -> tuple[list[str], list[str]]:
    for mid in moment_ids:
        x.get("moments", mid, "Dit moment")
    for tid in theme_ids:
        x.get("themes", tid, "Dit thema")
    return list(dict.fromkeys(moment_ids)), list(dict.fromkeys(theme_ids))


def thread_add(x: Ctx, cmd: c.ThreadAdd) -> Result:
    x.room("threads")
    moments, themes = _links(x, cmd.moment_ids, cmd.theme_ids)
    tid = x.new_id()
    x.s["threads"][tid] = items.thread(
        tid, cmd.text, cmd.level, moments, themes, x.next_position("threads")
    )
    return "thread.added", {"id": tid}


def thread_update(x: Ctx, cmd: c.ThreadUpdate) -> Result:
    thread = x.get("threads", cmd.id, "Deze rode draad").copy()
    if cmd.text is not None:
        thread["text"] = cmd.text
    if cmd.clear_level:
        thread["level"] = None
    elif cmd.level is not None:
        thread["level"] = cmd.level
    moments, themes = _links(
        x,
        thread["moment_ids"] if cmd.moment_ids is None else cmd.moment_ids,
        thread["theme_ids"] if cmd.theme_ids is None else cmd.theme_ids,
    )
    thread["moment_ids"], thread["theme_ids"] = moments, themes
    x.s["threads"][cmd.id] = thread
    return "thread.updated", {}


def _remove(
    x: Ctx, kind: Literal["threads", "lessons", "agreements"], item_id: str, what: str
) -> None:
    x.get(kind, item_id, what)
    del x.s[kind][item_id]


def thread_remove(x: Ctx, cmd: c.ThreadRemove) -> Result:
    _remove(x, "threads", cmd.id, "Deze rode draad")
    return "thread.removed", {}


# lessons
def lesson_add(x: Ctx, cmd: c.LessonAdd) -> Result:
    x.room("lessons")
    lid = x.new_id()
    x.s["lessons"][lid] = items.lesson(lid, cmd.text, x.next_position("lessons"))
    return "lesson.added", {"id": lid}


def lesson_update(x: Ctx, cmd: c.LessonUpdate) -> Result:
    lesson = x.get("lessons", cmd.id, "Deze les")
    x.s["lessons"][cmd.id] = {**lesson, "text": cmd.text, "pii": holds_personal_data(cmd.text)}
    return "lesson.updated", {}


def lesson_remove(x: Ctx, cmd: c.LessonRemove) -> Result:
    _remove(x, "lessons", cmd.id, "Deze les")
    return "lesson.removed", {}


# working agreements
def agreement_add(x: Ctx, cmd: c.AgreementAdd) -> Result:
    x.room("agreements")
    aid = x.new_id()
    x.s["agreements"][aid] = items.agreement(
        aid, cmd.text, x.party(cmd.owner_party_id), cmd.due, x.next_position("agreements")
    )
    return "agreement.added", {"id": aid}


def agreement_update(x: Ctx, cmd: c.AgreementUpdate) -> Result:
    agreement = x.get("agreements", cmd.id, "Deze werkafspraak").copy()
    if cmd.text is not None:
        agreement["text"] = cmd.text
        agreement["pii"] = holds_personal_data(cmd.text)
    if cmd.clear_owner:
        agreement["owner_party_id"] = None
    elif cmd.owner_party_id is not None:
        agreement["owner_party_id"] = x.party(cmd.owner_party_id)
    if cmd.clear_due:
        agreement["due"] = None
    elif cmd.due is not None:
        agreement["due"] = cmd.due
    x.s["agreements"][cmd.id] = agreement
    return "agreement.updated", {}


def agreement_remove(x: Ctx, cmd: c.AgreementRemove) -> Result:
    _remove(x, "agreements", cmd.id, "Deze werkafspraak")
    return "agreement.removed", {}


def agreement_status(x: Ctx, cmd: c.AgreementStatusSet) -> Result:
    agreement = x.get("agreements", cmd.id, "Deze werkafspraak")
    if x.actor.role != "facilitator" and agreement["owner_party_id"] != x.actor.party_id:
        raise Forbidden("Alleen de partij die eigenaar is kan de status zetten.")
    x.s["agreements"][cmd.id] = {**agreement, "status": cmd.status}
    return "agreement.status_changed", {}
