"""Accord's broker commands as a user meets them: settings from the environment, basic
credentials, one-line errors, and the HTML page."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.broker.conftest import accord, reader_pact, running_broker, write_pact

pytestmark = pytest.mark.slow  # each command is a process of its own


def test_publish_and_record_with_basic_credentials_from_the_environment(tmp_path: Path) -> None:
    pact = write_pact(tmp_path, reader_pact())
    with running_broker(tmp_path, "--username", "ci", "--password", "pw") as url:
        creds = {"PACT_BROKER_BASE_URL": url, "PACT_BROKER_USERNAME": "ci"}
        refused = accord("publish", str(pact), "--version", "1", **creds)
        assert refused.returncode == 2
        assert "401" in refused.stderr and "token" in refused.stderr
        creds["PACT_BROKER_PASSWORD"] = "pw"
        published = accord("publish", str(pact), "--version", "1", "--branch", "main",
                           "--tag", "rc", **creds)  # fmt: skip
        assert published.returncode == 0, published.stderr
        assert "Created reader version 1 pact with shelf" in published.stdout
        assert accord("create-environment", "prod", "--production", **creds).returncode == 0
        released = accord("record-release", "reader", "--environment", "prod", "--version", "1",
                          **creds)  # fmt: skip
        assert released.returncode == 0, released.stderr
        assert "recorded release of reader version 1 to prod" in released.stdout
        missing = accord("record-deployment", "reader", "--environment", "qa", "--version", "1",
                         **creds)  # fmt: skip
        assert missing.returncode == 2
        assert missing.stderr.count("\n") == 1 and "no environment named 'qa'" in missing.stderr
        # the page a person opens: pacticipants, the latest pacts and their results
        page = httpx.get(url + "/", headers={"Accept": "text/html"})
        assert page.headers["content-type"].startswith("text/html")
        assert "<td>reader</td>" in page.text and "<td>shelf</td>" in page.text
        assert "not verified" in page.text


def test_errors_are_one_line(tmp_path: Path) -> None:
    no_broker = accord("publish", "x.json", "--version", "1", cwd=tmp_path)
    assert no_broker.returncode == 2
    assert "no such pact file" in no_broker.stderr or "no Pact Broker" in no_broker.stderr
    unreachable = accord("publish", str(write_pact(tmp_path, reader_pact())), "--version", "1",
                         "--broker", "http://127.0.0.1:9")  # fmt: skip
    assert unreachable.returncode == 2
    assert unreachable.stderr.startswith("accord: error: broker http://127.0.0.1:9")
    assert unreachable.stderr.count("\n") == 1
    env_without_broker = accord("can-i-deploy", "reader", "--to-environment", "prod", cwd=tmp_path)
    assert env_without_broker.returncode == 2
    assert "--broker" in env_without_broker.stderr
    not_json = tmp_path / "bad.json"
    not_json.write_text("{")
    bad = accord("publish", str(not_json), "--version", "1", "--broker", "http://127.0.0.1:9")
    assert bad.returncode == 2 and f"{not_json}:1:2: malformed JSON" in bad.stderr
    assert bad.stderr.count("\n") == 1


def test_the_broker_url_from_pyproject(shared_broker: str, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(f'[tool.accord.broker]\nurl = "{shared_broker}"\n')
    made = accord("create-environment", "from-pyproject", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    names = [e["name"] for e in httpx.get(f"{shared_broker}/environments").json()[
        "_embedded"]["environments"]]  # fmt: skip
    assert "from-pyproject" in names
    (tmp_path / "pyproject.toml").write_text("[tool.accord.broker]\nurl = 7\n")
    bad = accord("create-environment", "x", cwd=tmp_path)
    assert bad.returncode == 2 and "[tool.accord.broker] url must be a string" in bad.stderr


def test_the_broker_url_from_accord_yaml(shared_broker: str, tmp_path: Path) -> None:
    from tests.verify.conftest import CONTRACT, MANIFEST  # noqa: PLC0415

    (tmp_path / "contracts" / "openapi").mkdir(parents=True)
    (tmp_path / "contracts" / "openapi" / "shelf.yaml").write_text(CONTRACT)
    manifest = tmp_path / "contracts" / "accord.yaml"
    manifest.write_text(MANIFEST + f"broker:\n  url: {shared_broker}\n")
    made = accord("create-environment", "from-accord-yaml", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    envs = httpx.get(f"{shared_broker}/environments").json()["_embedded"]["environments"]
    assert "from-accord-yaml" in [e["name"] for e in envs]
    manifest.write_text(MANIFEST + "broker:\n  url: ftp://nope\n")
    bad = accord("create-environment", "x", cwd=tmp_path)
    assert bad.returncode == 2 and "accord.yaml" in bad.stderr and "/broker/url" in bad.stderr
