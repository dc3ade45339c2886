"""`cm-sim`: the command-line contract of DESIGN.md, one module per command group.

Heavy imports (models, Chroma, the grader) stay inside the commands, so `cm-sim --help` and
`cm-sim validate` start fast.
"""

from simulator.cli import (
    cluster,
    cohort,
    content,
    drafts,
    evals,
    grade,
    knowledge,
    ops,
    play,
    review,
    scenarios,
    store,
    xapi,
)
from simulator.cli.root import app

__all__ = [
    "app",
    "cluster",
    "cohort",
    "content",
    "drafts",
    "evals",
    "grade",
    "knowledge",
    "ops",
    "play",
    "review",
    "scenarios",
    "store",
    "xapi",
]
