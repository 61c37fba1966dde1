"""A hint about jargon: abbreviations of the Dutch social domain, written out.

The handbook warns that jargon and abbreviations get in the way when parties from different
domains read one timeline ("wees alert op het gebruik van jargon en afkortingen"). This finds the
abbreviations in a text: the known ones with their full form, and unknown all-capital words as
"write this out". A hint, never a block: nothing is refused because of it.

Few false alarms matter more than catching everything (a hint that fires on ordinary sentences
gets ignored), so the generic rule skips capitalised emphasis ("NIET"), roman numerals, a word
next to a digit ("CO2", "A4"), the case's own initials and texts written all in capitals.

web/shared/jargon.js is the twin: the same list and the same rules; tests/test_jargon.py checks
that both lists are equal and that both give tests/jargon_cases.json exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypedDict


class Hint(TypedDict):
    abbr: str
    # None for an abbreviation that is not on the list: "schrijf voluit".
    full: str | None


# canonical form -> (full form, other spellings in use). Keep alphabetical; add freely.
ABBREVIATIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "AMHK": ("Advies- en Meldpunt Huiselijk geweld en Kindermishandeling (nu Veilig Thuis)", ()),
    "AVG": ("Algemene verordening gegevensbescherming", ()),
    "BGT": ("buurt- of gebiedsteam (de betekenis verschilt per gemeente)", ()),
    "BJZ": ("Bureau Jeugdzorg", ()),
    "BSN": ("burgerservicenummer", ()),
    "BW": ("beschermd wonen", ()),
    "CB": ("consultatiebureau", ()),
    "CIZ": ("Centrum indicatiestelling zorg", ()),
    "CJG": ("Centrum voor Jeugd en Gezin", ()),
    "FACT": ("Flexible Assertive Community Treatment (ggz-team in de wijk)", ()),
    "GGD": ("Gemeentelijke Gezondheidsdienst", ()),
    "GGZ": ("geestelijke gezondheidszorg", ("ggz", "Ggz")),
    "GI": ("gecertificeerde instelling (jeugdbescherming en jeugdreclassering)", ()),
    "HG": ("huiselijk geweld", ()),
    "IB": ("intern begeleider (school)", ()),
    "IBS": ("inbewaringstelling", ()),
    "JB": ("jeugdbescherming", ()),
    "JGT": ("jeugd- en gezinsteam", ()),
    "JGZ": ("jeugdgezondheidszorg", ("jgz",)),
    "JR": ("jeugdreclassering", ()),
    "KM": ("kindermishandeling", ()),
    "LPA": ("leerplichtambtenaar", ()),
    "LVB": ("licht verstandelijke beperking", ()),
    "MDA": ("multidisciplinaire aanpak", ()),
    "MDO": ("multidisciplinair overleg", ()),
    "MO": ("maatschappelijke opvang", ()),
    "NAH": ("niet-aangeboren hersenletsel", ()),
    "OM": ("Openbaar Ministerie", ()),
    "OPP": ("ontwikkelingsperspectiefplan", ()),
    "OTS": ("ondertoezichtstelling", ()),
    "PGB": ("persoonsgebonden budget", ("pgb", "Pgb")),
    "POH": ("praktijkondersteuner huisarts", ()),
    "PW": ("Participatiewet", ()),
    "RM": ("rechterlijke machtiging", ()),
    "RvdK": ("Raad voor de Kinderbescherming", ("RVDK", "RvK")),
    "SAVE": ("SAVE-werkwijze van de jeugdbescherming (samen werken aan veiligheid)", ()),
    "SEH": ("spoedeisende hulp", ()),
    "SKJ": ("Stichting Kwaliteitsregister Jeugd", ()),
    "SVB": ("Sociale Verzekeringsbank", ()),
    "SWT": ("sociaal wijkteam", ()),
    "SWV": ("samenwerkingsverband passend onderwijs", ()),
    "UHP": ("uithuisplaatsing", ()),
    "UWV": ("Uitvoeringsinstituut Werknemersverzekeringen", ()),
    "VNG": ("Vereniging van Nederlandse Gemeenten", ()),
    "VT": ("Veilig Thuis", ()),
    "WLZ": ("Wet langdurige zorg", ("Wlz",)),
    "WMO": ("Wet maatschappelijke ondersteuning", ("Wmo",)),
    "WSNP": ("Wet schuldsanering natuurlijke personen", ()),
    "WVGGZ": ("Wet verplichte ggz", ("Wvggz",)),
    "WZD": ("Wet zorg en dwang", ("Wzd",)),
    "ZAT": ("zorg- en adviesteam (school)", ()),
    "ZVH": ("Zorg- en Veiligheidshuis", ()),
    "ZVW": ("Zorgverzekeringswet", ("Zvw",)),
}

# Words in capitals that are no jargon: emphasis, and abbreviations everyone knows.
NOT_JARGON: frozenset[str] = frozenset(
    {
        "AAN",
        "AL",
        "ALLES",
        "ALTIJD",
        "BIJ",
        "DAT",
        "DE",
        "DIT",
        "DUS",
        "EEN",
        "EN",
        "ER",
        "ECHT",
        "GEEN",
        "GOED",
        "HEEL",
        "HET",
        "HIJ",
        "IK",
        "IN",
        "JA",
        "JIJ",
        "KAN",
        "LAAT",
        "LET",
        "MAAR",
        "MET",
        "MOET",
        "MOETEN",
        "NA",
        "NEE",
        "NIET",
        "NIETS",
        "NOG",
        "NOOIT",
        "NU",
        "OF",
        "OOK",
        "OP",
        "TE",
        "TOEN",
        "VAN",
        "VEEL",
        "VOOR",
        "WANT",
        "WAT",
        "WEL",
        "WIE",
        "WIJ",
        "ZE",
        "ZEER",
        "ZELF",
        "ZIJ",
        "ZO",
        # known to everyone
        "OK",
        "NB",
        "PS",
        "TV",
        "NL",
        "EU",
        "ID",
        "PDF",
        "WC",
    }
)

_FORMS: dict[str, str] = {
    form: abbr for abbr, (_, others) in ABBREVIATIONS.items() for form in (abbr, *others)
}
# Letters as Dutch writes them: ASCII and Latin-1 (é, ë, ï, ...); the same class in JS.
_WORD = re.compile(r"[A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u00FF]+")
_CAPITALS = re.compile(r"[A-Z]{2,6}")
_ROMAN = re.compile(r"X{0,3}(?:IX|IV|V?I{0,3})")
_DIGIT = re.compile(r"[0-9]")


def _shouting(words: list[str]) -> bool:
    """A text mostly in capitals: its capitals are emphasis, not abbreviations."""
    long = [w for w in words if len(w) >= 2]
    caps = [w for w in long if _CAPITALS.fullmatch(w)]
    return len(caps) >= 4 and len(caps) * 10 >= len(long) * 6


def find_jargon(text: str, ignore: Iterable[str] = ()) -> list[Hint]:
    """The abbreviations in ``text`` in order of appearance, each once; ``ignore``: e.g. the
    case's initials written without dots ("JK")."""
    skip = set(ignore)
    matches = list(_WORD.finditer(text))
    shouting = _shouting([m.group() for m in matches])
    found: list[Hint] = []
    seen: set[str] = set()
    for match in matches:
        word = match.group()
        start, end = match.span()
        if word in _FORMS:
            abbr = _FORMS[word]
            full: str | None = ABBREVIATIONS[abbr][0]
        elif (
            _CAPITALS.fullmatch(word)
            and not shouting
            and word not in NOT_JARGON
            and word not in skip
            and not _ROMAN.fullmatch(word)
            and not _DIGIT.match(text[start - 1 : start])
            and not _DIGIT.match(text[end : end + 1])
        ):
            abbr, full = word, None
        else:
            continue
        if abbr not in seen:
            seen.add(abbr)
            found.append({"abbr": abbr, "full": full})
    return found
