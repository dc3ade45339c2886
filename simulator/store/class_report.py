"""The class report a trainer prints or sends: one PDF from the class dashboard.

It holds the cohort's name and the date, each assignment's average and spread of best
scores, the student × assignment table (status and best score), who is stuck and who has
not started. Labels come from the locale catalogues (`class_report.*`). Names typed by
students are drawn as text, never interpreted.
"""

from __future__ import annotations

from collections.abc import Sequence

from simulator.content import Lang, get_scenario, t
from simulator.engine import pdf_font
from simulator.store.gradebook import LOW_MARK, Dashboard


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def class_report_pdf(dashboard: Dashboard, lang: Lang, compress: bool = True) -> bytes:
    """The dashboard as an A4 PDF in `lang` (`compress=False` leaves the streams readable)."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(format="A4")
    pdf.set_compression(compress)
    pdf.set_auto_page_break(auto=True, margin=15)
    cohort = dashboard.cohort
    title = t(lang, "class_report.title", name=cohort.name)
    pdf.set_title(title)
    pdf.set_creator("cm-sim")
    family, fit = pdf_font(pdf)
    pdf.add_page()

    def heading(text: str, size: int = 13) -> None:
        pdf.set_font(family, size=size)
        pdf.ln(2)
        pdf.multi_cell(0, size * 0.55, fit(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def line(text: str, size: int = 10) -> None:
        pdf.set_font(family, size=size)
        pdf.multi_cell(0, size * 0.5, fit(text) or " ", new_x="LMARGIN", new_y="NEXT")

    def table(header: Sequence[str], rows: Sequence[Sequence[str]], first: float = 2) -> None:
        pdf.set_font(family, size=8)
        widths = [first, *([1] * (len(header) - 1))]
        # Headings shaded, not bold: the Unicode font is added in its regular style only.
        plain = FontFace(emphasis="", fill_color=(230, 230, 230))
        with pdf.table(
            col_widths=widths, line_height=4.5, first_row_as_headings=True, headings_style=plain
        ) as grid:
            for values in [header, *rows]:
                row = grid.row()
                for value in values:
                    row.cell(fit(value))
        pdf.ln(2)

    heading(title, 16)
    line(t(lang, "class_report.generated", date=dashboard.generated_at.strftime("%Y-%m-%d")))
    line(
        t(
            lang,
            "class_report.facts",
            students=len(dashboard.students),
            language=cohort.lang,
            attempts=cohort.attempts,
        )
    )

    titles = {
        a.scenario_id: get_scenario(a.scenario_id).title.get(lang) for a in cohort.assignments
    }
    heading(t(lang, "class_report.assignments"))
    table(
        [
            t(lang, "class_report.assignment"),
            t(lang, "class_report.due"),
            t(lang, "class_report.average"),
            t(lang, "class_report.finished"),
            *dashboard.bins,
        ],
        [
            [
                titles[a.scenario_id],
                a.due_at.strftime("%Y-%m-%d") if a.due_at else t(lang, "class_report.no_due"),
                _score(a.average),
                f"{a.scored}/{len(dashboard.students)}",
                *(str(n) for n in a.distribution),
            ]
            for a in dashboard.assignments
        ],
        first=3,
    )
    line(t(lang, "class_report.distribution"), 8)

    heading(t(lang, "class_report.students"))
    if dashboard.students:
        table(
            [t(lang, "class_report.student"), *(titles[a.scenario_id] for a in cohort.assignments)],
            [
                [
                    s.name,
                    *(
                        f"{t(lang, f'class_report.status_{a.status}')} · {_score(a.best_score)}"
                        for a in s.assignments
                    ),
                ]
                for s in dashboard.students
            ],
        )
    else:
        line(t(lang, "class_report.none"))

    heading(t(lang, "class_report.stuck"))
    for stuck in dashboard.stuck:
        why = (
            t(lang, "class_report.reason_low_score", score=_score(stuck.score))
            if stuck.reason == "low_score"
            else t(lang, f"class_report.reason_{stuck.reason}")
        )
        line(f"• {stuck.name} — {titles[stuck.scenario_id]}: {why}")
    if not dashboard.stuck:
        line(t(lang, "class_report.none"))
    line(t(lang, "class_report.stuck_rule", mark=f"{LOW_MARK:.0f}"), 8)

    heading(t(lang, "class_report.not_started"))
    names = ", ".join(s.name for s in dashboard.not_started)
    line(names or t(lang, "class_report.none"))
    pdf.ln(3)
    line(t(lang, "class_report.trainer_grades"), 8)
    return bytes(pdf.output())
