"""The report as one printable, self-contained HTML page (also the source of the PDF).

Self-contained because it is a download: it is opened from disk, printed, mailed, so it may not
load anything (its own Content-Security-Policy says so). Every piece of text is escaped.
"""

from __future__ import annotations

from .content import AgreementView, MomentView, PartyView, Report
from .svg import clean, ink_on, safe_colour, timeline_svg

INTRO = (
    "De tijdlijn was een hulpmiddel voor het gesprek, niet het product zelf. Daarom staan de "
    "duidingen hier als aantallen per partij en niet woordelijk: het verslag is geen nieuwe "
    "aanleiding om te bespreken wie er gelijk had."
)
NO_FOLLOW_UP = (
    "Nog geen datum gekozen. De methode raadt aan om 3 tot 6 maanden na de bijeenkomst terug "
    "te kijken op de lessen en werkafspraken."
)
ABSENT = "niet aanwezig; duidingen vooraf aangeleverd"
NO_NEW_INFORMATION = "Er kwam tijdens de bijeenkomst geen nieuwe informatie naar boven."


def new_information_lead(count: int) -> str:
    times = "1 keer" if count == 1 else f"{count} keer"
    return (
        f"Tijdens de bijeenkomst kwam {times} informatie naar boven die andere partijen nog niet "
        "kenden. De informatie zelf staat niet in dit verslag; de partijen spraken af hoe ze "
        "ermee omgaan:"
    )


FOOTER = (
    "Gemaakt met Tijdlijn op verzoek van de gespreksbegeleider. Dit verslag is niet op de "
    "server bewaard; bewaar en deel het volgens de afspraken over geheimhouding."
)

CSS = """
@page { size: A4; margin: 16mm 15mm 18mm;
  @bottom-right { content: "Pagina " counter(page) " van " counter(pages);
    font-family: "DejaVu Sans", sans-serif; font-size: 8.5pt; color: #444; } }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, "Noto Color Emoji", sans-serif;
  font-size: 10.5pt;
  line-height: 1.45; color: #111; margin: 0; }
main { max-width: 190mm; margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 20pt; margin: 0 0 2mm; }
h2 { font-size: 13pt; margin: 7mm 0 2mm; border-bottom: 1px solid #999;
  page-break-after: avoid; break-after: avoid; }
.kicker { text-transform: uppercase; letter-spacing: .05em; font-size: 9pt; color: #444;
  margin: 0; }
.meta { color: #333; margin: 0 0 2mm; }
.note { border-left: 3px solid #0072B2; padding: 1mm 3mm; background: #F2F6FA; }
.swatch { display: inline-block; min-width: 1.5em; text-align: center; font-weight: bold;
  border: 1px solid #333; border-radius: 2px; margin-right: .4em; }
ul.parties { list-style: none; padding: 0; columns: 2; }
li, tr, blockquote, svg { page-break-inside: avoid; break-inside: avoid; }
svg { width: 100%; height: auto; display: block; margin: 2mm 0 4mm; }
ol.moments li { margin-bottom: 2mm; }
.counts { display: block; color: #333; font-size: 9.5pt; }
blockquote { margin: 1mm 0 1mm 4mm; padding-left: 3mm; border-left: 2px solid #999;
  font-style: italic; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid #ccc; padding: 1.5mm; }
footer { margin-top: 8mm; font-size: 8.5pt; color: #444; }
"""

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _swatch(party: PartyView) -> str:
    colour = safe_colour(party.colour)
    return (
        f'<span class="swatch" style="background:{colour};color:{ink_on(colour)}" '
        f'aria-hidden="true">{clean(party.key)}</span>'
    )


def _party(party: PartyView | None) -> str:
    return f"{_swatch(party)}{clean(party.name)}" if party else "—"


def _party_line(party: PartyView) -> str:
    return _party(party) + (f' <span class="meta">({ABSENT})</span>' if party.absent else "")


def _list(items: list[str], tag: str = "ul", css: str = "") -> str:
    if not items:
        return '<p class="meta">Geen.</p>'
    opening = f'<{tag} class="{css}">' if css else f"<{tag}>"
    return opening + "".join(f"<li>{item}</li>" for item in items) + f"</{tag}>"


def _numbers(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers) if numbers else "geen"


def _moment(moment: MomentView) -> str:
    when = f"<strong>{clean(moment.when)}</strong> · " if moment.when else ""
    source = f" <em>(aangedragen door {clean(moment.source.name)})</em>" if moment.source else ""
    counts = (
        ", ".join(f"{clean(p.name)} {clean(moment.count_label(p, n))}" for p, n in moment.counts)
        or "geen"
    )
    quotes = "".join(
        f'<blockquote>{clean(q.text)} <span class="meta">— {clean(q.party.name)}'
        f"{', vooraf aangeleverd' if q.beforehand else ''}</span></blockquote>"
        for q in moment.quotes
    )
    return (
        f"{when}{clean(moment.text)}{source}"
        f'<span class="counts">Duidingen per partij: {counts}</span>{quotes}'
    )


def _agreements(agreements: list[AgreementView]) -> str:
    if not agreements:
        return '<p class="meta">Geen.</p>'
    rows = "".join(
        f"<tr><td>{clean(a.text)}</td><td>{_party(a.owner)}</td>"
        f"<td>{clean(a.due) if a.due else '—'}</td><td>{clean(a.status)}</td></tr>"
        for a in agreements
    )
    return (
        "<table><thead><tr><th>Werkafspraak</th><th>Eigenaar</th><th>Uiterlijk</th>"
        f"<th>Status</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def render_html(report: Report) -> str:
    kind = "Verslag terugkijkmoment" if report.follow_up else "Verslag casusreconstructie"
    initials = f" · Casus: {clean(report.initials)}" if report.initials else ""
    themes = [
        f'{clean(t.label)} — {t.count}\u00d7 <span class="meta">'
        f"(momenten: {_numbers(t.moments)})</span>"
        for t in report.themes
    ]
    threads = [
        f'{clean(t.text)}<p class="meta">Niveau in de samenwerkingsdriehoek: {clean(t.level)}'
        f" · Momenten: {_numbers(t.moments)}</p>"
        for t in report.threads
    ]
    follow_up = (
        f"<p>Gepland op <strong>{clean(report.follow_up_date)}</strong>.</p>"
        if report.follow_up_date
        else f'<p class="meta">{NO_FOLLOW_UP}</p>'
    )
    new_information = (
        f"<p>{new_information_lead(len(report.new_information))}</p>"
        + _list([clean(text) for text in report.new_information], "ol")
        if report.new_information
        else f'<p class="meta">{NO_NEW_INFORMATION}</p>'
    )
    return f"""<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>{kind}</title>
<style>{CSS}</style>
</head>
<body>
<main>
<header>
<p class="kicker">{kind}</p>
<h1>{clean(report.title)}</h1>
<p class="meta">Bijeenkomst van {clean(report.date)}{initials}</p>
</header>
<p class="note">{INTRO}</p>
<section><h2>Partijen</h2>{_list([_party_line(p) for p in report.parties], css="parties")}</section>
<section><h2>Tijdlijn</h2>
{timeline_svg(report)}
{_list([_moment(m) for m in report.moments], "ol", "moments")}
</section>
<section><h2>Thema's die vaker opkwamen</h2>{_list(themes)}</section>
<section><h2>Rode draden</h2>{_list(threads, "ol")}</section>
<section><h2>Lessen</h2>{_list([clean(text) for text in report.lessons])}</section>
<section><h2>Werkafspraken</h2>{_agreements(report.agreements)}</section>
<section><h2>Nieuwe informatie</h2>{new_information}</section>
<section><h2>Terugkijkmoment</h2>{follow_up}</section>
<footer>{FOOTER}</footer>
</main>
</body>
</html>
"""
