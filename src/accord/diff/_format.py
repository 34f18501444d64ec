"""A diff rendered for people (text), programs (JSON) and pull requests (Markdown).

JSON lists every change at every place it reaches. Text and Markdown group the
places an edit reaches (a shared schema used by forty operations is one edit),
so a large diff such as Stripe's stays readable.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from accord.diff._model import Change, Consumer, DiffResult, Level

__all__ = ["FORMATS", "render_diff", "summary_line"]

FORMATS = ("text", "json", "markdown")
_TITLES = {Level.BREAKING: "Breaking", Level.NON_BREAKING: "Non-breaking", Level.INFO: "Info"}
_SHOWN = 3  # places listed per edit in text output


def render_diff(result: DiffResult, fmt: str, *, title: str = "") -> str:
    """``result`` as ``text``, ``json`` or ``markdown``."""
    if fmt == "json":
        data = {"changes": [c.as_dict() for c in result.changes], "summary": result.summary()}
        return json.dumps(data, indent=2) + "\n"
    if fmt == "text":
        return _text(result, title)
    if fmt == "markdown":
        return _markdown(result, title)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def summary_line(result: DiffResult) -> str:
    """``2 breaking (1 edit; 1 affects consumers: storefront), 0 non-breaking, 3 info``."""
    s = result.summary()
    edits = s["distinct_edits"]
    affected = s["breaking_with_consumers"]
    if affected:
        verb = "affects" if affected == 1 else "affect"
        impact = f"; {affected} {verb} consumers: {', '.join(s['affected_consumers'])}"
    elif s["breaking"]:
        impact = "; no consumer affected" if result.pacts else "; no pacts to check"
    else:
        impact = ""
    return (
        f"{s['breaking']} breaking ({_edits(edits['breaking'])}{impact}), "
        f"{s['non_breaking']} non-breaking ({_edits(edits['non_breaking'])}), "
        f"{s['info']} info ({_edits(edits['info'])})"
    )


def _edits(count: int) -> str:
    return f"{count} edit{'' if count == 1 else 's'}"


def group_edits(changes: Sequence[Change]) -> list[list[Change]]:
    """Changes grouped by the edit behind them, in order of first appearance."""
    groups: dict[tuple[str, str, str, str], list[Change]] = {}
    for change in changes:
        groups.setdefault(change.edit, []).append(change)
    return list(groups.values())


def _place(change: Change) -> str:
    return " ".join(p for p in (change.service, change.operation, change.path) if p)


def _text(result: DiffResult, title: str) -> str:
    lines = [f"{title}: {summary_line(result)}" if title else summary_line(result)]
    for level in Level:
        groups = group_edits([c for c in result.changes if c.level is level])
        if not groups:
            continue
        lines += ["", f"{_TITLES[level]} ({_edits(len(groups))})"]
        for group in groups:
            first = group[0]
            lines.append(f"  {first.id}: {first.detail or first.message}")
            places = [_place(c) for c in group if _place(c)]
            lines += [f"      at {p}" for p in places[:_SHOWN]]
            if len(places) > _SHOWN:
                lines.append(f"      ... and {len(places) - _SHOWN} more places")
            if first.old_location or first.new_location:
                old, new = first.old_location or "-", first.new_location or "-"
                lines.append(f"      old: {old}  new: {new}")
            if level is Level.BREAKING:
                lines += _consumer_lines(group, result.pacts)
    return "\n".join(lines) + "\n"


def _consumer_lines(group: Sequence[Change], pacts: int) -> list[str]:
    lines = [
        f"      breaks {c.consumer}: {c.interaction!r} via {ch.operation} "
        f"({c.pact_file} {c.pointer})"
        for ch in group
        for c in ch.consumers
    ]
    return lines or ["      no consumer affected" if pacts else "      no pacts to check"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown(result: DiffResult, title: str) -> str:
    head = f"### Contract diff{': ' + title if title else ''}"
    lines = [head, "", f"**{summary_line(result)}**", ""]
    groups = group_edits(result.breaking)
    if groups:
        lines += [
            "| | Change | Where | Consumers affected |",
            "|---|---|---|---|",
        ]
        for group in groups:
            first = group[0]
            consumers = [(ch.operation, c) for ch in group for c in ch.consumers]
            mark = ":x:" if consumers else ":warning:"
            where = _cell(_place(first))
            if len(group) > 1:
                where += f" (+{len(group) - 1} more)"
            lines.append(
                f"| {mark} | `{first.id}`: {_cell(first.detail or first.message)} | {where} | "
                f"{_cell(_consumers(consumers, result.pacts))} |"
            )
        lines.append("")
    others = group_edits([c for c in result.changes if c.level is not Level.BREAKING])
    if others:
        lines += [f"<details><summary>{_edits(len(others))} that break nobody</summary>", ""]
        for group in others:
            first = group[0]
            more = f" (+{len(group) - 1} more)" if len(group) > 1 else ""
            text = _cell(first.detail or first.message)
            lines.append(f"- {first.level.value} `{first.id}` {_cell(_place(first))}{more}: {text}")
        lines += ["", "</details>", ""]
    if not result.changes:
        lines += ["No changes.", ""]
    return "\n".join(lines)


def _consumers(consumers: Sequence[tuple[str, Consumer]], pacts: int) -> str:
    if not consumers:
        return "no consumer affected" if pacts else "no pacts to check"
    return "<br>".join(f"**{c.consumer}**: {c.interaction} (`{op}`)" for op, c in consumers)
