"""The broker's one HTML page: pacticipants, the latest pacts and their latest results."""

from __future__ import annotations

from html import escape

from accord.broker._db import Transaction

__all__ = ["render_index"]

_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}"
    ".ok{color:#080}.bad{color:#b00}.none{color:#888}"
)


def render_index(tx: Transaction) -> str:
    """What a person opening the broker in a browser sees (``/`` with ``Accept: text/html``)."""
    pacticipants = tx.all(
        "SELECT p.name, p.main_branch, (SELECT COUNT(*) FROM versions v"
        " WHERE v.pacticipant_id = p.id) FROM pacticipants p ORDER BY p.name"
    )
    latest = tx.all(
        "SELECT c.name, p.name, v.number, pub.sha, pub.created_at,"
        " (SELECT ver.success FROM verifications ver WHERE ver.sha = pub.sha"
        "  ORDER BY ver.id DESC LIMIT 1),"
        " (SELECT pv.number FROM verifications ver JOIN versions pv"
        "  ON pv.id = ver.provider_version_id WHERE ver.sha = pub.sha ORDER BY ver.id DESC LIMIT 1)"
        " FROM publications pub JOIN pacticipants c ON c.id = pub.consumer_id"
        " JOIN pacticipants p ON p.id = pub.provider_id JOIN versions v"
        " ON v.id = pub.consumer_version_id WHERE pub.id IN"
        " (SELECT MAX(id) FROM publications GROUP BY consumer_id, provider_id)"
        " ORDER BY c.name, p.name"
    )
    rows = []
    for consumer, provider, number, sha, created, success, by in latest:
        if success is None:
            result = '<span class="none">not verified</span>'
        else:
            word, css = ("passed", "ok") if success else ("failed", "bad")
            result = f'<span class="{css}">{word}</span> by {escape(str(by))}'
        href = f"/pacts/provider/{escape(provider)}/consumer/{escape(consumer)}/pact-version/{sha}"
        rows.append(
            f"<tr><td>{escape(consumer)}</td><td>{escape(provider)}</td>"
            f'<td>{escape(number)}</td><td><a href="{href}">{sha[:8]}</a></td>'
            f"<td>{escape(created)}</td><td>{result}</td></tr>"
        )
    people = "".join(
        f"<tr><td>{escape(name)}</td><td>{escape(main or '')}</td><td>{count}</td></tr>"
        for name, main, count in pacticipants
    )
    return (
        "<!doctype html><html><head><meta charset=utf-8><title>accord broker</title>"
        f"<style>{_STYLE}</style></head><body><h1>accord broker</h1>"
        "<h2>Pacticipants</h2><table><tr><th>name</th><th>main branch</th><th>versions</th></tr>"
        f"{people}</table><h2>Latest pacts</h2><table><tr><th>consumer</th><th>provider</th>"
        "<th>consumer version</th><th>pact</th><th>published</th><th>latest verification</th></tr>"
        + "".join(rows)
        + "</table></body></html>"
    )
