"""User and LLM text is shown as text: never as HTML, never as live Markdown."""

from __future__ import annotations

import re

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$])")


def escape_markdown(text: str) -> str:
    """Backslash-escape Markdown syntax so a reply cannot inject links, images or layout."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)
