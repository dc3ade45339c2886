"""Malformed scenarios: each gets a precise `FILE:LINE: field: message`, never a traceback."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from simulator.content import load_scenario, validate_paths
from simulator.errors import ContentError

FIXTURE = Path(__file__).parents[1] / "fixtures" / "minimal.yaml"
BASE = FIXTURE.read_text(encoding="utf-8")
BASE_LINES = BASE.splitlines()


def line_no(fragment: str, start: int = 1) -> int:
    """The 1-based number of the first line at or after `start` containing `fragment`."""
    for number, line in enumerate(BASE_LINES, start=1):
        if number >= start and fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in fixture")


def replace_line(fragment: str, new: str, start: int = 1) -> str:
    lines = list(BASE_LINES)
    lines[line_no(fragment, start) - 1] = new
    return "\n".join(lines) + "\n"


def insert_after(fragment: str, new: str) -> str:
    lines = list(BASE_LINES)
    lines.insert(line_no(fragment), new)
    return "\n".join(lines) + "\n"


def delete_line(fragment: str, start: int = 1) -> str:
    lines = list(BASE_LINES)
    del lines[line_no(fragment, start) - 1]
    return "\n".join(lines) + "\n"


BOMB = """\
a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
"""

ANA = line_no("- id: ana")
REX = line_no("- id: rex")

# (name, file text or bytes, expected line, expected field, message fragment)
CASES: list[tuple[str, str | bytes, int, str, str]] = [
    ("syntax-error", replace_line("skills:", "skills: [empathy"), 5, "(document)", "syntax"),
    (
        "duplicate-key",
        insert_after("difficulty:", "difficulty: advanced"),
        5,
        "difficulty",
        "duplicate key",
    ),
    ("unknown-key", insert_after("channel: x", "colour: red"), 7, "colour", "unknown field"),
    (
        "unknown-nested-key",
        insert_after("followers: 300", "    age: 30"),
        line_no("followers: 300") + 1,
        "personas[0].age",
        "unknown field",
    ),
    (
        "wrong-type",
        replace_line("reply_time_limit_s", "reply_time_limit_s: soon"),
        line_no("reply_time_limit_s"),
        "reply_time_limit_s",
        "integer",
    ),
    (
        "missing-language",
        replace_line("title: {fr: Client", "title: {fr: Client pressé}"),
        2,
        "title.en",
        "missing",
    ),
    (
        "blank-language",
        replace_line("title: {fr: Client", 'title: {fr: "  ", en: Hurried}'),
        2,
        "title.fr",
        "blank",
    ),
    (
        "python-tag",
        replace_line("brief:", 'brief: !!python/object/apply:os.system ["ls"]'),
        3,
        "brief",
        "not allowed",
    ),
    (
        "custom-tag",
        replace_line("brief:", "brief: !include other.yaml"),
        3,
        "brief",
        "not allowed",
    ),
    ("alias-bomb", BOMB, 1, "(document)", "alias bomb"),
    ("empty-file", "", 1, "(document)", "empty"),
    ("only-comments", "# nothing here\n# yet\n", 1, "(document)", "empty"),
    ("top-level-list", "- id: minimal\n", 1, "(document)", "mapping"),
    (
        "multiple-documents",
        BASE + "---\nid: again\n",
        len(BASE_LINES) + 1,
        "(document)",
        "single document",
    ),
    (
        "unknown-persona-in-opening",
        replace_line("  - persona: ana", "  - persona: zoe"),
        line_no("  - persona: ana"),
        "opening[0].persona",
        "unknown persona 'zoe'",
    ),
    (
        "unknown-lead",
        replace_line("lead_persona:", "lead_persona: bob"),
        line_no("lead_persona:"),
        "lead_persona",
        "unknown persona",
    ),
    ("id-not-file-name", replace_line("id: minimal", "id: other"), 1, "id", "file name"),
    (
        "weights-do-not-add-up",
        replace_line("weight: 0.6", "    weight: 0.5"),
        line_no("rubric:"),
        "rubric",
        "add up to 1.0",
    ),
    (
        "missing-mood-lines",
        delete_line("won_over:", start=line_no("  ana:", start=line_no("reactions:"))),
        line_no("  ana:", start=line_no("reactions:")),
        "reactions.ana.won_over",
        "missing",
    ),
    (
        "inject-both-triggers",
        insert_after("at_turn: 1", "    when: [{metric: reach, at_least: 5}]"),
        line_no("  - id: press"),
        "injects[0]",
        "exactly one of at_turn or when",
    ),
    (
        "inject-after-last-turn",
        replace_line("at_turn: 1", "    at_turn: 9"),
        line_no("at_turn: 1"),
        "injects[0].at_turn",
        "after the last turn",
    ),
    (
        "bad-mood-in-condition",
        replace_line(
            "persona: ana, at_least: calm", "    - {metric: mood, persona: ana, at_least: happy}"
        ),
        line_no("persona: ana, at_least: calm"),
        "end.resolved[1].at_least",
        "",
    ),
    (
        "bad-handle",
        replace_line('handle: "@ana"', "    handle: ana"),
        line_no('handle: "@ana"'),
        "personas[0].handle",
        "handle such as @name",
    ),
    (
        "unknown-feature",
        replace_line("rewards: [apology, empathy]", "    rewards: [apology, kindness]"),
        line_no("rewards: [apology, empathy]"),
        "rubric[0].rewards[1]",
        "",
    ),
    (
        "duplicate-persona-id",
        replace_line("- id: rex", "  - id: ana"),
        REX,
        "personas[1].id",
        "duplicate persona id",
    ),
    (
        "negative-followers",
        replace_line("followers: 300", "    followers: -3"),
        line_no("followers: 300"),
        "personas[0].followers",
        "greater than or equal to 0",
    ),
    (
        "not-utf8",
        BASE.encode("utf-8").replace(b"Client", b"Cli\xffent", 1),
        2,
        "(document)",
        "UTF-8",
    ),
    ("too-large", BASE + "#" + "x" * 600_000 + "\n", 1, "(document)", "over the"),
    (
        "sentiment-out-of-range",
        replace_line("sentiment: {initial: -40}", "  sentiment: {initial: -400}"),
        line_no("sentiment: {initial: -40}"),
        "metrics.sentiment",
        "between -100 and 100",
    ),
    (
        "one-model-answer",
        "\n".join(BASE_LINES[: line_no("  - turn: 2") - 1]) + "\n",
        line_no("model_answers:"),
        "model_answers",
        "at least 2",
    ),
    (
        "bad-slug-id",
        replace_line("- id: ana", "  - id: Ana Smith"),
        ANA,
        "personas[0].id",
        "lowercase id",
    ),
    (
        "merge-key",
        replace_line("brand:", "brand:\n  <<: {name: X}"),
        line_no("brand:") + 1,
        "brand",
        "merge keys",
    ),
    (
        "tab-indentation",
        replace_line("  name: Test Brand", "\tname: Test Brand"),
        line_no("  name: Test Brand"),
        "(document)",
        "syntax",
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "line", "field", "fragment"), CASES, ids=[c[0] for c in CASES]
)
def test_malformed_scenario_gets_precise_message(
    tmp_path: Path, name: str, content: str | bytes, line: int, field: str, fragment: str
) -> None:
    path = tmp_path / "minimal.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    started = time.perf_counter()
    problems = validate_paths([path])
    assert time.perf_counter() - started < 1.0
    assert problems, f"{name}: expected a problem"
    matching = [p for p in problems if p.field == field.replace("(document)", "")]
    assert matching, f"{name}: no problem on {field}: {[str(p) for p in problems]}"
    problem = matching[0]
    assert problem.line == line, str(problem)
    assert fragment.lower() in problem.message.lower(), str(problem)
    text = str(problem)
    assert text.startswith(f"{path}:{line}: {field}: ") or f":{line}: {field}: " in text
    assert "\n" not in text


def test_at_least_twenty_cases() -> None:
    assert len(CASES) >= 20


def test_all_problems_of_a_file_reported_at_once(tmp_path: Path) -> None:
    text = replace_line("lead_persona:", "lead_persona: bob")
    text = text.replace("reply_time_limit_s: 120", "reply_time_limit_s: soon")
    text = text.replace("channel: x", "channel: x\ncolour: red")
    path = tmp_path / "minimal.yaml"
    path.write_text(text, encoding="utf-8")
    fields = {p.field for p in validate_paths([path])}
    assert {"reply_time_limit_s", "colour"} <= fields


def test_yaml_and_model_problems_together(tmp_path: Path) -> None:
    text = insert_after("difficulty:", "difficulty: advanced").replace(
        "channel: x", "channel: myspace"
    )
    path = tmp_path / "minimal.yaml"
    path.write_text(text, encoding="utf-8")
    fields = {p.field for p in validate_paths([path])}
    assert {"difficulty", "channel"} <= fields


def test_valid_fixture_loads() -> None:
    scenario = load_scenario(FIXTURE)
    assert scenario.lead_persona == "ana"
    assert [i.id for i in scenario.injects] == ["press", "spread"]


def _mutations(seed: int) -> Callable[[list[str]], list[str]]:
    rng = random.Random(seed)

    def mutate(lines: list[str]) -> list[str]:
        out = list(lines)
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(out))
            action = rng.choice(["delete", "duplicate", "swap", "truncate", "indent", "garble"])
            if action == "delete":
                del out[i]
            elif action == "duplicate":
                out.insert(i, out[i])
            elif action == "swap":
                j = rng.randrange(len(out))
                out[i], out[j] = out[j], out[i]
            elif action == "truncate":
                out[i] = out[i][: rng.randrange(len(out[i]) + 1)]
            elif action == "indent":
                out[i] = "  " + out[i]
            else:
                out[i] = out[i].replace(":", rng.choice(["", " :", ": &x", ": *x", ": !!str"]), 1)
        return out

    return mutate


@pytest.mark.parametrize("seed", range(150))
def test_random_mutations_never_crash(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "minimal.yaml"
    path.write_text("\n".join(_mutations(seed)(BASE_LINES)) + "\n", encoding="utf-8")
    for problem in validate_paths([path]):
        assert problem.line >= 1
        assert "\n" not in str(problem)
    try:
        load_scenario(path)
    except ContentError as exc:
        assert exc.problems


def test_unknown_practice_id_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "minimal.yaml"
    path.write_text(
        BASE.replace("[concrete-next-step, move-to-private]", "[concrete-next-step, tea]")
    )
    problems = validate_paths([path], {"empathy-acknowledge-impact", "concrete-next-step"})
    assert [(p.line, p.field) for p in problems] == [
        (line_no("[concrete-next-step, move-to-private]"), "rubric[1].practices[1]")
    ]
    assert problems[0].message == "unknown practice id 'tea'"
