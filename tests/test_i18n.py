"""The translation catalogues against the markup and code that use them, without a browser.

Issue 3 asks for every string in a catalogue per language and none hard-coded in markup. A
missing key shows up in the page as the bare key (see web/shared/i18n.js), so it is checked here,
statically, for every view at once: both languages hold the same keys with the same placeholders,
every key the markup or the code names exists for its view, and the markup carries no text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[1] / "web"
I18N = WEB / "i18n"
LANGUAGES = sorted(p.name for p in I18N.iterdir() if p.is_dir())
CATALOGUE_FILES = sorted(p.name for p in (I18N / "nl").glob("*.json"))
PLACEHOLDER = re.compile(r"\{(\w+)\}")

# Literal catalogue keys in the code: t("key"), el(..., {i18n: "key"}), the console's
# button("key", ...), field(id, "key", ...) and confirmDialog({confirm: "key", cancel: "key"}).
# A template literal with ${...} is built at run time and skipped.
_LIT = r"""(['"`])((?:(?!\1)[^\\\n])*)\1"""
KEY_CALLS = [
    re.compile(r"(?<![\w.$])t\(\s*" + _LIT),
    re.compile(r"\bi18n\s*:\s*" + _LIT),
    re.compile(r"(?<![\w.$])button\(\s*" + _LIT),
    re.compile(r"(?<![\w.$])field\(\s*" + r"""(?:'[^']*'|"[^"]*"|`[^`]*`)\s*,\s*""" + _LIT),
    re.compile(r"\b(?:confirm|cancel)\s*:\s*" + _LIT),
]
IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)(['"])([^'"]+\.js)\1""")
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
}  # fmt: skip


def load(lang: str, name: str) -> dict[str, str]:
    data = json.loads((I18N / lang / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{lang}/{name} is not a flat object"
    return data


def has(catalogue: dict[str, str], key: str) -> bool:
    """A key exists itself or as its plural pair (t(key, {count}) picks key.one / key.other)."""
    return key in catalogue or (f"{key}.one" in catalogue and f"{key}.other" in catalogue)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def views() -> list[str]:
    """The page folders under web/ that have a catalogue of their own (facilitator, wall, ...)."""
    return sorted(p.parent.name for p in WEB.glob("*/index.html"))


def catalogue_for(view: str, lang: str = "nl") -> dict[str, str]:
    merged = dict(load(lang, "common.json"))
    own = I18N / lang / f"{view}.json"
    if own.exists():
        merged.update(load(lang, own.name))
    return merged


def source_files(suffix: str) -> list[Path]:
    return sorted(p for p in WEB.rglob(f"*{suffix}") if "vendor" not in p.relative_to(WEB).parts)


def js_keys(text: str) -> Iterator[tuple[int, str]]:
    """(line, key) of every literal key the code passes to the translation helpers."""
    for pattern in KEY_CALLS:
        for match in pattern.finditer(text):
            key = match.group(match.lastindex or 0)
            if "${" not in key:
                yield text.count("\n", 0, match.start()) + 1, key


def resolve_import(module: Path, spec: str) -> Path | None:
    if spec.startswith("/static/"):
        target = WEB / spec.removeprefix("/static/")
    elif spec.startswith("."):
        target = (module.parent / spec).resolve()
    else:
        return None
    return target if target.exists() else None


def views_using(module: Path) -> set[str]:
    """The page folders whose code imports ``module``, directly or through other modules."""
    importers: dict[Path, set[Path]] = {}
    for js in source_files(".js"):
        for match in IMPORT.finditer(js.read_text(encoding="utf-8")):
            target = resolve_import(js, match.group(2))
            if target is not None:
                importers.setdefault(target.resolve(), set()).add(js.resolve())
    seen: set[Path] = set()
    todo = [module.resolve()]
    while todo:
        current = todo.pop()
        for importer in importers.get(current, set()) - seen:
            seen.add(importer)
            todo.append(importer)
    found = {p.relative_to(WEB.resolve()).parts[0] for p in seen}
    return found & set(views())


# Catalogues ------------------------------------------------------------------------------------


def test_every_language_has_the_same_catalogue_files() -> None:
    assert {"en", "nl"} <= set(LANGUAGES), LANGUAGES
    for lang in LANGUAGES:
        names = sorted(p.name for p in (I18N / lang).glob("*.json"))
        assert names == CATALOGUE_FILES, f"{lang}: {names} != nl: {CATALOGUE_FILES}"


@pytest.mark.parametrize("name", CATALOGUE_FILES)
def test_both_languages_have_the_same_keys(name: str) -> None:
    dutch = load("nl", name)
    for lang in LANGUAGES:
        other = load(lang, name)
        assert sorted(set(dutch) - set(other)) == [], f"in nl/{name}, missing from {lang}/{name}"
        assert sorted(set(other) - set(dutch)) == [], f"in {lang}/{name}, missing from nl/{name}"


@pytest.mark.parametrize("name", CATALOGUE_FILES)
def test_no_empty_values_and_matching_placeholders(name: str) -> None:
    dutch = load("nl", name)
    for lang in LANGUAGES:
        catalogue = load(lang, name)
        empty = [k for k, v in catalogue.items() if not isinstance(v, str) or not v.strip()]
        assert empty == [], f"{lang}/{name}: empty or not text: {empty}"
        differ = [
            (key, sorted(placeholders(dutch[key])), sorted(placeholders(text)))
            for key, text in catalogue.items()
            if key in dutch and placeholders(dutch[key]) != placeholders(text)
        ]
        assert differ == [], f"{lang}/{name}: placeholders differ (key, nl, {lang}): {differ}"


# Keys used in markup and code ------------------------------------------------------------------


class _Markup(HTMLParser):
    """Collects the i18n keys of a page and any visible text not covered by data-i18n."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.keys: list[tuple[int, str]] = []
        self.loose_text: list[tuple[int, str]] = []
        # Open elements: (tag, carries data-i18n).
        self.stack: list[tuple[str, bool]] = []
        self.in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(attrs)
        if tag == "body":
            self.in_body = True
        if tag not in VOID:
            self.stack.append((tag, any(name == "data-i18n" and value for name, value in attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "body":
            self.in_body = False
        # Pop to the matching element; an end tag with no open element (an implied close) is
        # ignored.
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data: str) -> None:
        if not self.in_body or not data.strip():
            return
        if any(tag in ("script", "style", "template") for tag, _ in self.stack):
            return
        if not any(translated for _, translated in self.stack):
            self.loose_text.append((self.getpos()[0], data.strip()))

    def _attributes(self, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        for name, value in attrs:
            if name == "data-i18n" and value:
                self.keys.append((line, value.strip()))
            elif name == "data-i18n-attr" and value:
                for pair in value.split(";"):
                    _, _, key = pair.partition(":")
                    if key.strip():
                        self.keys.append((line, key.strip()))


def parse(page: Path) -> _Markup:
    parser = _Markup()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    return parser


HTML_PAGES = source_files(".html")
JS_MODULES = source_files(".js")


def test_the_scans_find_pages_and_keys() -> None:
    """Guard against a scan that silently matches nothing (a moved folder, a broken regex)."""
    assert {p.parent.name for p in HTML_PAGES} >= {"facilitator", "participant", "wall", "home"}
    assert sum(len(parse(p).keys) for p in HTML_PAGES) > 100
    assert sum(1 for m in JS_MODULES for _ in js_keys(m.read_text(encoding="utf-8"))) > 100
    sample = 'x = t("a.b", {n}); el("p", { i18n: "c.d" }); t(`e.${f}`); button(`g.h`, go);'
    assert [key for _, key in js_keys(sample)] == ["a.b", "c.d", "g.h"]


@pytest.mark.parametrize("page", HTML_PAGES, ids=lambda p: str(p.relative_to(WEB)))
def test_markup_keys_exist(page: Path) -> None:
    view = page.relative_to(WEB).parts[0]
    for lang in LANGUAGES:
        catalogue = catalogue_for(view, lang)
        missing = [(line, key) for line, key in parse(page).keys if not has(catalogue, key)]
        assert missing == [], (
            f"{page.relative_to(WEB)}: keys missing from {lang} (line, key): {missing}"
        )


@pytest.mark.parametrize("module", JS_MODULES, ids=lambda p: str(p.relative_to(WEB)))
def test_code_keys_exist(module: Path) -> None:
    """A page's own code uses its catalogue and common; shared code, those of every page that
    imports it (or common alone when a shared module is used by no page yet)."""
    folder = module.relative_to(WEB).parts[0]
    users = {folder} if folder in views() else views_using(module) or {"common"}
    keys = list(js_keys(module.read_text(encoding="utf-8")))
    for lang in LANGUAGES:
        for view in sorted(users):
            catalogue = catalogue_for(view, lang)
            missing = [(line, key) for line, key in keys if not has(catalogue, key)]
            assert missing == [], (
                f"{module.relative_to(WEB)}: keys missing from {lang} catalogue of {view} "
                f"(line, key): {missing}"
            )


@pytest.mark.parametrize("page", HTML_PAGES, ids=lambda p: str(p.relative_to(WEB)))
def test_markup_has_no_hard_coded_text(page: Path) -> None:
    loose = parse(page).loose_text
    assert loose == [], f"{page.relative_to(WEB)}: text outside data-i18n (line, text): {loose}"
