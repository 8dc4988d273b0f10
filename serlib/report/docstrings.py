"""Tables rendered from docstrings, so that a decision is written once (in the code) and shown everywhere.

A model whose paper is vague lists its decisions in its docstring under a
heading ending ``(Paper says / We do / Why):``, one numbered item each::

    3. Splice width. Paper (Sec. 2.3): "...480-dimensional vector". We do: splice 512, then 512 -> 480.
       Why: 256 + 256 is 512.

:func:`decisions_table` turns that list into a Markdown table (notebook 06
shows :class:`serlib.models.fla_ser.FLASER`'s).
"""
from __future__ import annotations

import re

DECISIONS_HEADING = "(Paper says / We do / Why):"
_ITEM = re.compile(r"^(?P<topic>[^.]+)\.\s+Paper(?P<where>\s*\([^)]*\))?:\s*(?P<paper>.*?)"
                   r"(?:\s+We do:\s*(?P<we>.*?))?(?:\s+Why:\s*(?P<why>.*))?$", re.S)


def _clean(text: str | None) -> str:
    """Sphinx roles and double backticks to plain Markdown code; '|' would split a table cell."""
    text = re.sub(r":(?:class|data|func|meth|mod):`([^`]+)`", r"`\1`", text or "")
    return text.replace("``", "`").replace("|", "/") or "–"


def decision_items(doc: str) -> list[tuple[str, list[str]]]:
    """``[(number, [topic, paper says, we do, why]), ...]`` from the decisions list of ``doc``."""
    if DECISIONS_HEADING not in (doc or ""):
        raise ValueError(f"the docstring has no decisions list (a heading ending {DECISIONS_HEADING!r})")
    body = doc.split(DECISIONS_HEADING, 1)[1]
    parts = re.split(r"\n\s*(\d+)\.\s+", "\n" + body.strip())
    items = []
    for number, text in zip(parts[1::2], parts[2::2]):
        text = " ".join(text.split())
        found = _ITEM.match(text)
        if found:
            where = (found["where"] or "").strip()
            row = [found["topic"], (where + " " if where else "") + found["paper"], found["we"], found["why"]]
        else:  # an item without the Paper / We do / Why form, e.g. "Not in Table 2: ..."
            topic, _, rest = text.partition(":")
            row = [topic, None, rest.strip(), None]
        items.append((number, [_clean(cell) for cell in row]))
    return items


def decisions_table(doc: str) -> str:
    """The decisions list of ``doc`` as a Markdown table: #, topic, paper says, we do, why."""
    lines = ["| # | topic | paper says | we do | why |", "|---|---|---|---|---|"]
    lines += [f"| {number} | " + " | ".join(cells) + " |" for number, cells in decision_items(doc)]
    return "\n".join(lines)
