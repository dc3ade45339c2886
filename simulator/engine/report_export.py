"""The session report a trainee downloads: Markdown and PDF, in the session's language.

Both say the same thing: the final score, each criterion's mean score, every turn (the reply,
its score, the stronger reply, the practices cited) and the metrics per turn. The trainee's
text is quoted, never interpreted: Markdown quotes it line by line; the PDF draws it as text.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from simulator.content import Lang, Scenario, t
from simulator.engine.report import build_report
from simulator.engine.session import SessionState

# A Unicode font if the system has one (accents, quotes, euro sign); else the PDF core font,
# with what Latin-1 cannot show replaced.
UNICODE_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
    Path("/Library/Fonts/Arial Unicode.ttf"),
    Path("C:/Windows/Fonts/arial.ttf"),
)


def quote(text: str) -> str:
    """Text a person typed, as a Markdown quote (quoted line by line, never interpreted)."""
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines() or [""])


def report_markdown(scenario: Scenario, state: SessionState) -> str:
    lang: Lang = state.lang
    report = build_report(scenario, state)
    out = [
        f"# {t(lang, 'report.title')}: {scenario.title.get(lang)}",
        "",
        f"**{t(lang, 'report.score')}: {report.score:.0f}/100**",
    ]
    if report.end_message:
        out.append(f"\n{report.end_message}")
    out += ["", f"## {t(lang, 'report.criteria')}", ""]
    out.append(
        f"| {t(lang, 'report.criterion')} | {t(lang, 'report.weight')} | "
        f"{t(lang, 'report.score')} |"
    )
    out.append("| --- | --- | --- |")
    for c in report.criteria:
        out.append(f"| {c.title} | {c.weight:.0%} | {c.score:.0f} |")
    if report.practices_to_revise:
        out += ["", f"**{t(lang, 'report.revise')}:** {', '.join(report.practices_to_revise)}"]
    out += ["", f"## {t(lang, 'report.turns')}"]
    for record in state.turns:
        out += [
            "",
            f"### {t(lang, 'report.turn', turn=record.turn)} — {record.score:.0f}/100",
            "",
            f"**{t(lang, 'report.your_reply')}**",
            "",
            quote(record.reply),
            "",
            f"**{t(lang, 'report.better_reply')}**",
            "",
            quote(record.assessment.better_reply),
            "",
            f"{t(lang, 'report.practices')}: {', '.join(record.assessment.practices)}",
        ]
        for scored in record.assessment.criteria:
            title = scenario.criterion(scored.id).title.get(lang)
            out.append(f"- {title}: {scored.score:.0f} — {scored.feedback}")
    out += ["", f"## {t(lang, 'report.metrics')}", ""]
    out.append(
        f"| {t(lang, 'report.turn_col')} | {t(lang, 'metric.sentiment')} | "
        f"{t(lang, 'metric.reach')} | {t(lang, 'metric.escalation')} |"
    )
    out.append("| --- | --- | --- | --- |")
    for turn, metrics in enumerate(state.history):
        out.append(
            f"| {turn} | {metrics['sentiment']:.0f} | {metrics['reach']:.0f} | "
            f"{metrics['escalation']:.0f} |"
        )
    return "\n".join(out) + "\n"


# What the PDF core fonts (Latin-1) cannot draw, replaced when no Unicode font is found.
TYPOGRAPHIC = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u202f": " ",
        "\u2009": " ",
        "\u00d7": "x",
        "\u2022": "-",
    }
)


def latin1(text: str) -> str:
    """Text the core fonts can draw: typographic marks made plain, the rest replaced by ?."""
    return text.translate(TYPOGRAPHIC).encode("latin-1", "replace").decode("latin-1")


def _same(text: str) -> str:
    return text


def pdf_font(pdf: Any) -> tuple[str, Callable[[str], str]]:
    """The font family to write with, and how to make text drawable in it: a Unicode TTF
    when the system has one, else the core Helvetica with the text made Latin-1."""
    font = next((p for p in UNICODE_FONTS if p.is_file()), None)
    if font is None:
        return "Helvetica", latin1
    pdf.add_font("body", "", str(font))
    return "body", _same


def report_pdf(scenario: Scenario, state: SessionState) -> bytes:
    """The Markdown report laid out as a PDF (headings, tables as lines, quoted replies)."""
    return markdown_pdf(report_markdown(scenario, state))


def markdown_pdf(markdown: str) -> bytes:
    """Our reports' Markdown (headings, tables, quotes, lists) laid out as a simple PDF."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    family, fit = pdf_font(pdf)
    sizes = {"# ": 16, "## ": 13, "### ": 11}
    for line in markdown.splitlines():
        size = next((s for prefix, s in sizes.items() if line.startswith(prefix)), 10)
        text = line.lstrip("#").strip() if size != 10 else line
        if text.startswith("| ---"):
            continue
        text = text.replace("**", "")
        if text.startswith("|"):
            text = "  ·  ".join(cell.strip() for cell in text.strip("|").split("|"))
        pdf.set_font(family, size=size)
        pdf.multi_cell(0, size * 0.55, fit(text) or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
