"""Content: the scenario format and its loading, safe YAML, located problems, the catalog of
scenarios, the text catalogues (i18n), reply files, reply cues and shared text helpers.
"""

from simulator.content.base import Frozen, Strict
from simulator.content.catalog import (
    UnknownScenario,
    all_scenarios,
    get_scenario,
    practice_ids,
    scenario_ids,
)
from simulator.content.cues import FEATURE_CUES, FEATURE_PRACTICES, detect_features
from simulator.content.i18n import catalogue, lines, t, t_or
from simulator.content.problems import Problem, display_path
from simulator.content.replies import MAX_REPLY_CHARS, ReplyItem, read_replies
from simulator.content.scenario import (
    LANGS,
    MOODS,
    Channel,
    Condition,
    Criterion,
    Dynamics,
    Effect,
    Inject,
    Lang,
    Persona,
    Scenario,
    Slug,
    Text,
    json_schema,
    load_scenario,
    problems_from_validation,
    scenario_files,
    validate_paths,
)
from simulator.content.text import FRENCH_GRAMMAR_WORDS, SEARCH_STOPWORDS, fold, fold_lower, stem
from simulator.content.yaml_safe import YamlDocument, parse_yaml_text, read_yaml

__all__ = [
    "FEATURE_CUES",
    "FEATURE_PRACTICES",
    "FRENCH_GRAMMAR_WORDS",
    "LANGS",
    "MAX_REPLY_CHARS",
    "MOODS",
    "SEARCH_STOPWORDS",
    "Channel",
    "Condition",
    "Criterion",
    "Dynamics",
    "Effect",
    "Frozen",
    "Inject",
    "Lang",
    "Persona",
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
