"""The report (verslag): made on demand from a meeting's state, never stored on the server."""

from __future__ import annotations

from ..domain.meeting import Meeting
from .content import Report, ReportOptions, build, filename
from .html import render_html
from .markdown import render_markdown
from .pdf import render_pdf
from .svg import timeline_svg

__all__ = [
    "Report",
    "ReportOptions",
    "build",
    "filename",
    "render_html",
    "render_markdown",
    "render_pdf",
    "report_html",
    "report_markdown",
    "report_pdf",
    "timeline_svg",
]


def report_html(meeting: Meeting, options: ReportOptions | None = None) -> str:
    return render_html(build(meeting, options))


def report_markdown(meeting: Meeting, options: ReportOptions | None = None) -> str:
    return render_markdown(build(meeting, options))


def report_pdf(meeting: Meeting, options: ReportOptions | None = None) -> bytes:
    return render_pdf(build(meeting, options))
