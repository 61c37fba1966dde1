"""A guard against personal data in free text: BSN, postcode with house number, date of birth,
phone number, e-mail address.

The method works with initials only, so text that looks like personal data is flagged, never
refused: the person may rephrase or send anyway, and the facilitator sees the flag. A warning
that fires on ordinary sentences teaches people to click it away, so every rule asks for more
than a pattern of digits: a BSN must pass the eleven-test, a postcode needs a house number, a
date counts only next to a birth keyword ("op 3 maart 2024 belde de wijkagent" is an event).

web/shared/personal_data.js applies the same rules with the same regular expressions (ASCII
classes only, no lookbehind, so both engines agree); tests/personal_data_cases.json holds the
cases both must pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Kind = str
KINDS: tuple[Kind, ...] = ("bsn", "postcode", "birth_date", "phone", "email")

# Before a number: not part of a longer word or number.
_EDGE = r"(?:^|[^0-9A-Za-z])"

# 9 digits, or grouped as 1234.56.782 / 123 456 782; checked with the eleven-test below.
_BSN = re.compile(
    r"(?:^|[^0-9A-Za-z+.,-])"
    r"([0-9]{9}|[0-9]{4}([ .-]?)[0-9]{2}\2[0-9]{3}|[0-9]{3}([ .-])[0-9]{3}\3[0-9]{3})"
    r"(?![0-9]|[.,-][0-9])"
)

# "1234 AB 5", "1234AB 12a", "1234ab 5", and the other order: "Dorpsstraat 12, 1234 AB".
# Lower-case letters only without a space, so "in 2024 en 3 gevallen" stays quiet.
_PC = r"[1-9][0-9]{3}(?:[ ]?(?!SA|SD|SS)[A-Z]{2}|(?!sa|sd|ss)[a-z]{2})(?![A-Za-z])"
_POSTCODE = re.compile(
    _EDGE + _PC + r"[ ]?,?[ ]{0,2}[0-9]{1,5}(?![0-9])"
    r"|[A-Za-z][ ][0-9]{1,5}[A-Za-z]?,?[ ]{1,2}" + _PC
)

# +31 6 1234 5678, 0031 20 123 4567, 06-12345678, (020) 123 45 67: a trunk prefix and nine
# digits, in groups separated by a space, a dash or a dot.
_SEP = r"(?:[ ]?[.-][ ]?|[ ]|\)[ ]?)"
_PHONE = re.compile(
    r"(?:^|[^0-9A-Za-z+])"
    r"((?:\+|00)31[ ]?-?[ ]?(?:\(0\)[ ]?)?[1-9](?:" + _SEP + r"?[0-9]){8}"
    r"|\(?0[1-9](?:" + _SEP + r"?[0-9]){8})"
    r"(?![0-9])"
)

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_MONTH_NAME = (
    r"(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november"
    r"|december|jan|feb|mrt|apr|jun|jul|aug|sept|sep|okt|nov|dec)"
)
_DATE = (
    r"(?:" + _DAY + r"[-/.]" + _MONTH + r"[-/.](?:19|20)?[0-9]{2}"
    r"|(?:19|20)[0-9]{2}-" + _MONTH + r"-" + _DAY + ""
    r"|" + _DAY + r"e? " + _MONTH_NAME + r"\.? (?:19|20)[0-9]{2})"
    r"(?![0-9])"
)
_BIRTH_WORD = (
    r"(?:geboortedatum|geboortedag|geboren|geb\.?datum|gebdat|geb\.?|d\.o\.b\.?|dob"
    r"|date of birth|born)(?![A-Za-z])"
)
# The keyword, then at most a few words (no digits, no clause break), then a date.
_BIRTH = re.compile(
    r"(?:^|[^A-Za-z])" + _BIRTH_WORD + r"[^0-9,;.!?\n]{0,18}" + _DATE, re.IGNORECASE
)


def passes_eleven_test(digits: str) -> bool:
    """The BSN "elfproef": 9*d1 + 8*d2 + ... + 2*d8 - d9 is a multiple of 11 (and not 0)."""
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit():
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    total = sum(int(d) * w for d, w in zip(digits, weights, strict=True))
    return total % 11 == 0 and digits != "000000000"


def _phone_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _PHONE.finditer(text):
        number = match.group(1)
        # A national number has one dash or dot at most: "01-02-2024 14" is a date and a time.
        national = not number.startswith(("+", "00"))
        if not national or sum(number.count(c) for c in ".-") <= 1:
            spans.append(match.span(1))
    return spans


def _has_bsn(text: str, phones: list[tuple[int, int]]) -> bool:
    for match in _BSN.finditer(text):
        start, end = match.span(1)
        if any(start < p_end and p_start < end for p_start, p_end in phones):
            continue
        if passes_eleven_test(re.sub(r"[^0-9]", "", match.group(1))):
            return True
    return False


_CHECKS: tuple[tuple[Kind, Callable[[str, list[tuple[int, int]]], bool]], ...] = (
    ("bsn", _has_bsn),
    ("postcode", lambda text, _: _POSTCODE.search(text) is not None),
    ("birth_date", lambda text, _: _BIRTH.search(text) is not None),
    ("phone", lambda _, phones: bool(phones)),
    ("email", lambda text, _: _EMAIL.search(text) is not None),
)


def find_personal_data(text: str) -> list[str]:
    """The kinds of personal data ``text`` seems to contain, in the order of ``KINDS``."""
    phones = _phone_spans(text)
    return [kind for kind, check in _CHECKS if check(text, phones)]
