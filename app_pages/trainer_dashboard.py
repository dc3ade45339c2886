"""The class dashboard of the Trainers page: where each student stands per assignment, a heat
map per criterion and per skill, averages and distribution per assignment, who is stuck or
has not started, transcripts with the grade review, and the gradebook/report downloads."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from app_pages.common import knowledge_content, safe_text
from simulator.content import Lang, get_scenario, t, t_or
from simulator.errors import SimulatorError
from simulator.protocols import Store
from simulator.store import (
    Dashboard,
    Employer,
    StudentSummary,
    class_dashboard,
    class_report_pdf,
    cohort_results,
    gradebook_csv,
    override_grade,
    scenario_for,
    trainer_grades,
)

STATUS_ICON = {"todo": "⚪", "in_progress": "🟡", "done": "🟢", "overdue": "🔴"}


def _title(scenario_id: str, lang: Lang) -> str:
    return get_scenario(scenario_id).title.get(lang)


def status_table(board: Dashboard, lang: Lang) -> None:
    rows = []
    for student in board.students:
        row: dict[str, object] = {t(lang, "class_report.student"): student.name}
        for done in student.assignments:
            score = f" {done.best_score:.0f}" if done.best_score is not None else ""
            label = t(lang, f"cohort.status_{done.status}")
            row[_title(done.scenario_id, lang)] = f"{STATUS_ICON[done.status]} {label}{score}"
        rows.append(row)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def heat_map(cells: list[dict[str, object]], column: str, lang: Lang, key: str) -> None:
    """Students down, criteria or skills across, the mean score as colour and text."""
    if not cells:
        st.caption(t(lang, "trainer.no_grades"))
        return
    frame = pd.DataFrame(cells)
    base = alt.Chart(frame).encode(
        x=alt.X(f"{column}:N", title=None, axis=alt.Axis(labelAngle=-30, labelLimit=220)),
        y=alt.Y("student:N", title=None),
    )
    rects = base.mark_rect().encode(
        color=alt.Color("score:Q", scale=alt.Scale(domain=[0, 100], scheme="redyellowgreen")),
        tooltip=["student", column, alt.Tooltip("score:Q", format=".0f")],
    )
    text = base.mark_text().encode(text=alt.Text("score:Q", format=".0f"))
    st.altair_chart(rects + text, key=key)


def criterion_cells(board: Dashboard, lang: Lang) -> list[dict[str, object]]:
    cells: list[dict[str, object]] = []
    for student in board.students:
        for scenario_id, criteria in student.criteria.items():
            scenario = get_scenario(scenario_id)
            for criterion_id, score in criteria.items():
                criterion = scenario.criterion(criterion_id).title.get(lang)
                label = f"{scenario.title.get(lang)} · {criterion}"
                cells.append({"student": student.name, "criterion": label, "score": score})
    return cells


def skill_cells(board: Dashboard, lang: Lang) -> list[dict[str, object]]:
    return [
        {"student": s.name, "skill": t_or(lang, f"theme.{skill}", skill), "score": score}
        for s in board.students
        for skill, score in s.skills.items()
    ]


def assignment_summaries(board: Dashboard, lang: Lang) -> None:
    columns = st.columns(max(1, len(board.assignments)))
    for column, summary in zip(columns, board.assignments, strict=False):
        with column, st.container(border=True):
            st.markdown(f"**{_title(summary.scenario_id, lang)}**")
            average = f"{summary.average:.0f}" if summary.average is not None else "—"
            st.metric(t(lang, "class_report.average"), average)
            statuses = " · ".join(
                f"{STATUS_ICON[k]} {t(lang, f'cohort.status_{k}')} {v}"
                for k, v in summary.statuses.items()
            )
            st.caption(statuses)
            st.bar_chart(
                pd.DataFrame(
                    {t(lang, "class_report.students"): summary.distribution}, index=board.bins
                ),
                height=160,
            )


def who_needs_help(board: Dashboard, lang: Lang) -> None:
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t(lang, 'class_report.stuck')}**")
        for stuck in board.stuck:
            reason = t(lang, f"class_report.reason_{stuck.reason}", score=f"{stuck.score or 0:.0f}")
            st.markdown(f"- {stuck.name} · {_title(stuck.scenario_id, lang)}: {reason}")
        if not board.stuck:
            st.caption(t(lang, "class_report.none"))
    with right:
        st.markdown(f"**{t(lang, 'class_report.not_started')}**")
        for student in board.not_started:
            st.markdown(f"- {student.name}")
        if not board.not_started:
            st.caption(t(lang, "class_report.none"))


def review_session(store: Store, trainer: Employer, session_id: str, lang: Lang) -> None:
    """A transcript, turn by turn, with the machine and trainer grades and the override form."""
    stored = store.get(session_id)
    scenario = scenario_for(stored, store)  # the version the student played
    grades = trainer_grades(store, session_id)
    for turn in stored.turns:
        if turn.record is None:
            continue
        st.markdown(f"**{t(lang, 'report.turn', turn=turn.turn)}** · {turn.record.score:.0f}/100")
        safe_text(turn.reply)
        for scored in turn.record.assessment.criteria:
            grade = grades.get((turn.turn, scored.id))
            mine = f" · 🧑‍🏫 {grade.after:.0f} ({grade.reason})" if grade else ""
            st.caption(f"{scenario.criterion(scored.id).title.get(lang)}: {scored.score:.0f}{mine}")
    graded = [turn.turn for turn in stored.turns if turn.record is not None]
    if not graded:
        return
    with st.form(f"override-{session_id}"):
        st.markdown(f"**{t(lang, 'trainer.override')}**")
        turn_no = st.selectbox(t(lang, "trainer.turn"), graded, key=f"ov-turn-{session_id}")
        criterion = st.selectbox(
            t(lang, "trainer.criterion"),
            [c.id for c in scenario.rubric],
            format_func=lambda cid: scenario.criterion(cid).title.get(lang),
            key=f"ov-criterion-{session_id}",
        )
        score = st.number_input(t(lang, "trainer.score"), 0, 100, 50, key=f"ov-score-{session_id}")
        reason = st.text_area(t(lang, "trainer.reason"), key=f"ov-reason-{session_id}")
        comment = st.text_area(t(lang, "trainer.comment"), key=f"ov-comment-{session_id}")
        go = st.form_submit_button(t(lang, "trainer.save_override"), type="primary")
    if go:
        try:
            override_grade(
                store,
                session_id,
                int(turn_no),
                str(criterion),
                float(score),
                reason,
                trainer,
                comment=comment or None,
            )
        except SimulatorError as exc:
            st.error(t(lang, "trainer.override_refused", reason=str(exc)))
        else:
            st.success(t(lang, "trainer.override_saved"))
            st.rerun()


def transcripts(store: Store, trainer: Employer, board: Dashboard, lang: Lang) -> None:
    playing = [s for s in board.students if any(a.session_ids for a in s.assignments)]
    if not playing:
        return
    st.subheader(t(lang, "trainer.transcripts"))
    student: StudentSummary = st.selectbox(
        t(lang, "class_report.student"), playing, format_func=lambda s: s.name, key="tr-student"
    )
    sessions = [
        (a.scenario_id, number, session_id)
        for a in student.assignments
        for number, session_id in enumerate(a.session_ids, start=1)
    ]
    picked = st.selectbox(
        t(lang, "trainer.session"),
        sessions,
        format_func=lambda item: t(
            lang, "trainer.attempt", scenario=_title(item[0], lang), number=item[1]
        ),
        key="tr-session",
    )
    review_session(store, trainer, picked[2], lang)


def show_dashboard(store: Store, trainer: Employer, cohort_id: str, lang: Lang) -> None:
    board = class_dashboard(store, cohort_id, trainer, cards=knowledge_content().cards)
    cohort = board.cohort
    expires = cohort.expires_at.date().isoformat() if cohort.expires_at else "—"
    st.caption(
        t(
            lang,
            "trainer.facts",
            language=cohort.lang,
            students=len(board.students),
            seats=cohort.seats,
            hint=cohort.join_hint,
            expires=expires,
        )
    )
    if not board.students:
        st.info(t(lang, "trainer.no_student"))
        return
    st.subheader(t(lang, "trainer.where_they_stand"))
    status_table(board, lang)
    assignment_summaries(board, lang)
    who_needs_help(board, lang)
    st.subheader(t(lang, "trainer.heat_criteria"))
    heat_map(criterion_cells(board, lang), "criterion", lang, "heat-criteria")
    st.subheader(t(lang, "trainer.heat_skills"))
    heat_map(skill_cells(board, lang), "skill", lang, "heat-skills")
    csv_col, pdf_col = st.columns(2)
    csv_col.download_button(
        t(lang, "trainer.download_csv"),
        data=gradebook_csv(cohort_results(store, cohort_id, trainer)),
        file_name=f"{cohort_id}-gradebook.csv",
        mime="text/csv",
        key="gradebook-csv",
    )
    pdf_col.download_button(
        t(lang, "trainer.download_pdf"),
        data=class_report_pdf(board, lang),
        file_name=f"{cohort_id}-class-report.pdf",
        mime="application/pdf",
        key="class-report-pdf",
    )
    transcripts(store, trainer, board, lang)
