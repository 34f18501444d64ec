"""The HTML report in a real headless Chromium (Debian's ``chromium``): it renders, the
service graph is there, and every in-page link leads somewhere."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from accord.verify import CaseResult, RunInfo, ServiceResult, write_html, write_junit
from accord.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Debian's chromium is needed (make test installs it)"
    return found


def _results() -> list[ServiceResult]:
    ok = ServiceResult(
        "catalog",
        [CaseResult("pact", "storefront: a request for a product", True, consumer="storefront")],
    )
    bad = ServiceResult(
        "orders",
        [
            CaseResult("pact", "storefront: a request to place an order", True),
            CaseResult(
                "schemathesis",
                "POST /orders",
                False,
                "ST101 Server error\nReceived: 500",
                reproduce="curl -X POST ...",
            ),
        ],
    )
    return [ok, bad, ServiceResult("payments", error="payments exited with 1 before answering")]


def test_report_renders_in_chromium(tmp_path: Path) -> None:
    workspace = Workspace.from_path(REPO)
    junit = write_junit(_results(), tmp_path / "junit.xml")
    info = RunInfo(
        "2026-12-03T13:00:00+00:00", "0123abc", seed=7, max_examples=25, pacts=True,
        properties=False, tools={"accord": "1.0", "schemathesis": "4.32.5"},
    )  # fmt: skip
    page = write_html(workspace, _results(), tmp_path / "report.html", junit.name, info)
    chromium = _chromium()
    profile = tmp_path / "profile"
    dom = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert "<title>Accord verification report</title>" in html
    assert "Verification failed." in html
    svg = re.search(r'<svg id="graph".*?</svg>', html, re.S)
    assert svg is not None
    nodes = re.findall(r'<g class="node (consumer|provider) ?(\w*)">', svg.group(0))
    assert [kind for kind, _ in nodes].count("provider") == 4
    # storefront, web, shipping, notifications, orders
    assert [kind for kind, _ in nodes].count("consumer") == 5
    # providers coloured by verdict: reviews was not verified in this run
    assert sorted(v for kind, v in nodes if kind == "provider") == [
        "failed", "failed", "passed", "unverified",
    ]  # fmt: skip
    # orders->2, storefront->3, web->1, shipping->1, notifications->1; storefront's pact
    # with catalog passed
    edges = re.findall(r'<line class="edge (\w+)"', svg.group(0))
    assert len(edges) == 8 and "passed" in edges
    # the run: date, commit, seed, example count, tools; phases not run say "skipped"
    for key, value in (("date", "2026-12-03T13:00:00"), ("commit", "0123abc"), ("seed", "7"),
                       ("examples", "25"), ("tools", "schemathesis 4.32.5")):  # fmt: skip
        assert re.search(rf'id="run-{key}">[^<]*{re.escape(value)}', html), key
    assert "property tests skipped (--no-properties)" in html
    assert "schemathesis skipped" in html  # catalog's verdict row: that phase did not run
    assert "<td>skipped</td>" in html  # and its operations' property-test column
    ids = set(re.findall(r'id="([^"]+)"', html))
    for target in re.findall(r'href="#([^"]+)"', html):
        assert target in ids, f"link to #{target} leads nowhere"
    assert 'href="junit.xml"' in html and junit.exists()
    assert "ST101 Server error" in html and "payments exited with 1" in html
    shot = tmp_path / "report.png"
    subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", "--window-size=1280,1800",
         f"--screenshot={shot}", page.as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one
