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


def _place(change: Change, media: frozenset[tuple[str, ...]] = frozenset()) -> str:
    """Service, operation and path; with the media type where the place has several."""
    where = " ".join(p for p in (change.service, change.operation, change.path) if p)
    if change.target.media and _body_key(change) in media:
        where += f" ({change.target.media})"
    return where


def _body_key(change: Change) -> tuple[str, ...]:
    return (change.service, change.operation, change.path, change.id)


def _several_media(changes: Sequence[Change]) -> frozenset[tuple[str, ...]]:
    """The places whose findings repeat per media type (the same body as JSON and XML)."""
    seen: dict[tuple[str, ...], set[str]] = {}
    for change in changes:
        if change.target.media:
            seen.setdefault(_body_key(change), set()).add(change.target.media)
    return frozenset(key for key, media in seen.items() if len(media) > 1)


def _text(result: DiffResult, title: str) -> str:
    lines = [f"{title}: {summary_line(result)}" if title else summary_line(result)]
    media = _several_media(result.changes)
    for level in Level:
        groups = group_edits([c for c in result.changes if c.level is level])
        if not groups:
            continue
        lines += ["", f"{_TITLES[level]} ({_edits(len(groups))})"]
        for group in groups:
            first = group[0]
            lines.append(f"  {first.id}: {first.detail or first.message}")
            places = [_place(c, media) for c in group if _place(c)]
            lines += [f"      at {p}" for p in places[:_SHOWN]]
            if len(places) > _SHOWN:
                more = len(places) - _SHOWN
                lines.append(f"      ... and {more} more place{'' if more == 1 else 's'}")
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
    media = _several_media(result.changes)
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
            where = _cell(_place(first, media))
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
            where = _cell(_place(first, media))
            lines.append(f"- {first.level.value} `{first.id}` {where}{more}: {text}")
        lines += ["", "</details>", ""]
    if not result.changes:
        lines += ["No changes.", ""]
    return "\n".join(lines)


def _consumers(consumers: Sequence[tuple[str, Consumer]], pacts: int) -> str:
    if not consumers:
        return "no consumer affected" if pacts else "no pacts to check"
    return "<br>".join(f"**{c.consumer}**: {c.interaction} (`{op}`)" for op, c in consumers)
