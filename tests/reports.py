"""Helpers for tests that read built reports."""

from __future__ import annotations

import html as markup
import re

EPOCH = "1790000000"  # 2026-09-21: SOURCE_DATE_EPOCH of the test builds


def visible_text(html: str) -> str:
    """The visible text of a report page, whitespace collapsed."""
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(markup.unescape(re.sub(r"<[^>]+>", " ", body)).split())
