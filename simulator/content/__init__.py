"""Content: the scenario format and its loading, safe YAML, located problems, the catalog of
scenarios, the text catalogues (i18n), reply files, reply cues and shared text helpers. Names
load on first use, so importing the room costs nothing until then.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.content.base import Frozen, Strict
    from simulator.content.catalog import (
        UnknownScenario,
        all_scenarios,
        get_scenario,
        practice_ids,
        scenario_ids,
    )
    from simulator.content.cues import FEATURE_CUES, FEATURE_PRACTICES, detect_features, is_negated
    from simulator.content.i18n import catalogue, lines, t, t_or
    from simulator.content.problems import Problem, display_path
    from simulator.content.replies import MAX_REPLY_CHARS, ReplyItem, read_replies
    from simulator.content.scenario import (
        LANGS,
        MOODS,
        Channel,
        Check,
        Condition,
        Criterion,
        Dynamics,
        Effect,
        Expectation,
        Inject,
        Lang,
        Persona,
        Pitfall,
        Scenario,
        Slug,
        Text,
        json_schema,
        load_scenario,
        problems_from_validation,
        scenario_files,
        validate_paths,
    )
    from simulator.content.text import (
        FRENCH_GRAMMAR_WORDS,
        SEARCH_STOPWORDS,
        fold,
        fold_lower,
        stem,
    )
    from simulator.content.yaml_safe import YamlDocument, parse_yaml_text, read_yaml

_WHERE = {
    "Channel": "simulator.content.scenario",
    "Check": "simulator.content.scenario",
    "Condition": "simulator.content.scenario",
    "Criterion": "simulator.content.scenario",
    "Dynamics": "simulator.content.scenario",
    "Effect": "simulator.content.scenario",
    "Expectation": "simulator.content.scenario",
    "FEATURE_CUES": "simulator.content.cues",
    "FEATURE_PRACTICES": "simulator.content.cues",
    "FRENCH_GRAMMAR_WORDS": "simulator.content.text",
    "Frozen": "simulator.content.base",
    "Inject": "simulator.content.scenario",
    "LANGS": "simulator.content.scenario",
    "Lang": "simulator.content.scenario",
    "MAX_REPLY_CHARS": "simulator.content.replies",
    "MOODS": "simulator.content.scenario",
    "Persona": "simulator.content.scenario",
    "Pitfall": "simulator.content.scenario",
    "Problem": "simulator.content.problems",
    "ReplyItem": "simulator.content.replies",
    "SEARCH_STOPWORDS": "simulator.content.text",
    "Scenario": "simulator.content.scenario",
    "Slug": "simulator.content.scenario",
    "Strict": "simulator.content.base",
    "Text": "simulator.content.scenario",
    "UnknownScenario": "simulator.content.catalog",
    "YamlDocument": "simulator.content.yaml_safe",
    "all_scenarios": "simulator.content.catalog",
    "catalogue": "simulator.content.i18n",
    "detect_features": "simulator.content.cues",
    "display_path": "simulator.content.problems",
    "fold": "simulator.content.text",
    "fold_lower": "simulator.content.text",
    "get_scenario": "simulator.content.catalog",
    "is_negated": "simulator.content.cues",
    "json_schema": "simulator.content.scenario",
    "lines": "simulator.content.i18n",
    "load_scenario": "simulator.content.scenario",
    "parse_yaml_text": "simulator.content.yaml_safe",
    "practice_ids": "simulator.content.catalog",
    "problems_from_validation": "simulator.content.scenario",
    "read_replies": "simulator.content.replies",
    "read_yaml": "simulator.content.yaml_safe",
    "scenario_files": "simulator.content.scenario",
    "scenario_ids": "simulator.content.catalog",
    "stem": "simulator.content.text",
    "t": "simulator.content.i18n",
    "t_or": "simulator.content.i18n",
    "validate_paths": "simulator.content.scenario",
}
__all__ = [
    "FEATURE_CUES",
    "FEATURE_PRACTICES",
    "FRENCH_GRAMMAR_WORDS",
    "LANGS",
    "MAX_REPLY_CHARS",
    "MOODS",
    "SEARCH_STOPWORDS",
    "Channel",
    "Check",
    "Condition",
    "Criterion",
    "Dynamics",
    "Effect",
    "Expectation",
    "Frozen",
    "Inject",
    "Lang",
    "Persona",
    "Pitfall",
    "Problem",
    "ReplyItem",
    "Scenario",
    "Slug",
    "Strict",
    "Text",
    "UnknownScenario",
    "YamlDocument",
    "all_scenarios",
    "catalogue",
    "detect_features",
    "display_path",
    "fold",
    "fold_lower",
    "get_scenario",
    "is_negated",
    "json_schema",
    "lines",
    "load_scenario",
    "parse_yaml_text",
    "practice_ids",
    "problems_from_validation",
    "read_replies",
    "read_yaml",
    "scenario_files",
    "scenario_ids",
    "stem",
    "t",
    "t_or",
    "validate_paths",
]


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
