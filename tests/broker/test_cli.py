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


def _result(broker: str, consumer_version: str, provider_version: str, success: bool,
            tags: tuple[str, ...] = ()) -> None:  # fmt: skip
    """Publish shelf ``provider_version``'s result for reader ``consumer_version``'s pact."""
    pact = httpx.get(f"{broker}/pacts/provider/shelf/consumer/reader/version/{consumer_version}")
    href = pact.json()["_links"]["pb:publish-verification-results"]["href"]
    body = {"success": success, "providerApplicationVersion": provider_version,
            "providerVersionTags": list(tags)}  # fmt: skip
    assert httpx.post(href, json=body, timeout=30).status_code == 201


def test_can_i_deploy_selectors_agree_with_the_pact_cli(tmp_path: Path) -> None:
    """Each way of naming the version (--version, --latest [TAG], --branch, --main-branch)
    and the other side (--to-environment, --to TAG, the latest), on data where they differ:
    Accord's verdict is the official Pact CLI's."""
    from tests.broker.conftest import pact_cli  # noqa: PLC0415

    with running_broker(tmp_path) as broker:
        env = {"PACT_BROKER_BASE_URL": broker}
        assert accord("create-environment", "prod", **env).returncode == 0
        r1 = write_pact(tmp_path, reader_pact(), "r1.json")
        r2 = write_pact(tmp_path, reader_pact(description="a lost book"), "r2.json")
        for path, version, branch, tags in ((r1, "r1", "main", ("--tag", "dev")),
                                            (r2, "r2", "feat", ())):  # fmt: skip
            done = accord("publish", str(path), "--version", version, "--branch", branch, *tags,
                          **env)  # fmt: skip
            assert done.returncode == 0, done.stderr
        assert pact_cli("create-or-update-pacticipant", "--name", "reader", "--main-branch",
                        "main", "-b", broker).returncode == 0  # fmt: skip
        _result(broker, "r1", "s1", True, ("prod",))  # s1 (tagged prod) honours r1's pact
        _result(broker, "r1", "s2", False)  # s2, the latest, breaks it; nobody verified r2
        done = accord("record-deployment", "shelf", "--environment", "prod", "--version", "s1",
                      **env)  # fmt: skip
        assert done.returncode == 0, done.stderr
        cases = [  # (accord's arguments, the Pact CLI's, the verdict)
            (["--version", "r1"], ["--version", "r1"], 1),
            (["--version", "r1", "--to", "prod"], ["--version", "r1", "--to", "prod"], 0),
            (["--version", "r1", "--to-environment", "prod"],
             ["--version", "r1", "--to-environment", "prod"], 0),
            (["--latest"], ["--latest"], 1),  # r2
            (["--latest", "dev", "--to", "prod"], ["--latest", "dev", "--to", "prod"], 0),
            (["--latest", "--tag", "dev", "--to", "prod"], ["--latest", "dev", "--to", "prod"], 0),
            (["--branch", "main", "--to-environment", "prod"],
             ["--branch", "main", "--to-environment", "prod"], 0),
            (["--branch", "feat", "--to-environment", "prod"],
             ["--branch", "feat", "--to-environment", "prod"], 1),
            (["--main-branch", "--to-environment", "prod"],
             ["--main-branch", "--to-environment", "prod"], 0),  # r1, though r2 is newer
        ]  # fmt: skip
        for ours_args, theirs_args, verdict in cases:
            theirs = pact_cli("can-i-deploy", "--pacticipant", "reader", *theirs_args,
                              "-b", broker)  # fmt: skip
            ours = accord("can-i-deploy", "reader", *ours_args, **env)
            assert (ours.returncode, theirs.returncode) == (verdict, verdict), (
                ours_args, ours.stdout + ours.stderr, theirs.stdout + theirs.stderr)  # fmt: skip
        main = accord("can-i-deploy", "reader", "--main-branch", "--to-environment", "prod", **env)
        assert main.stdout.startswith(
            "yes: reader the latest version on its main branch (r1) can be deployed to prod"
        )
        latest = accord("can-i-deploy", "reader", "--latest", **env)
        assert latest.stdout.startswith("no: reader the latest version (r2) cannot be deployed")


def test_unknown_names_get_a_did_you_mean(shared_broker: str, tmp_path: Path) -> None:
    """An unknown pacticipant, version, branch, tag or environment (can-i-deploy and the
    record commands): exit 2, one line, with the nearest name the broker has."""
    env = {"PACT_BROKER_BASE_URL": shared_broker}
    pact = write_pact(tmp_path, reader_pact())
    done = accord("publish", str(pact), "--version", "1.0.0", "--branch", "main", "--tag", "dev",
                  **env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert accord("create-environment", "staging", **env).returncode == 0
    cases = [
        (["readr", "--version", "1.0.0"], "no pacticipant named 'readr' (did you mean 'reader'?)"),
        (["reader", "--version", "1.0.1"], "reader has no version '1.0.1' (did you mean '1.0.0'?)"),
        (["reader", "--branch", "mian"], "no version on branch 'mian' (did you mean 'main'?)"),
        (["reader", "--latest", "--tag", "dve"], "no version tagged 'dve' (did you mean 'dev'?)"),
        (["reader", "--version", "1.0.0", "--to-environment", "stagign"],
         "no environment named 'stagign' (did you mean 'staging'?)"),
    ]  # fmt: skip
    for args, expected in cases:
        done = accord("can-i-deploy", *args, **env)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert expected in done.stderr and done.stderr.count("\n") == 1, (args, done.stderr)
        assert done.stderr.startswith("accord: error: broker ")
    both = accord("can-i-deploy", "reader", "--version", "1.0.0", "--branch", "main", **env)
    assert both.returncode == 2 and "give one of --version, --branch" in both.stderr
    # the record commands too
    for command, extra in (("record-undeployment", ()), ("record-deployment", ("--version", "1")),
                           ("record-support-ended", ("--version", "1"))):  # fmt: skip
        misspelt = accord(command, "readr", "--environment", "staging", *extra, **env)
        assert misspelt.returncode == 2 and misspelt.stderr.count("\n") == 1, command
        assert "no pacticipant named 'readr' (did you mean 'reader'?)" in misspelt.stderr
    no_version = accord("record-deployment", "reader", "--environment", "staging", "--version",
                        "1.0.1", **env)  # fmt: skip
    assert no_version.returncode == 2
    assert "reader has no version '1.0.1' (did you mean '1.0.0'?)" in no_version.stderr


def test_undeployment_and_support_ended_as_the_pact_cli_records_them(tmp_path: Path) -> None:
    """``record-undeployment`` and ``record-support-ended`` end what the broker holds (read
    back over HTTP), refuse what is not there as the Pact CLI refuses it, and name it."""
    from tests.broker.conftest import pact_cli  # noqa: PLC0415

    with running_broker(tmp_path) as broker:
        env = {"PACT_BROKER_BASE_URL": broker}
        assert accord("create-environment", "prod", **env).returncode == 0
        [prod] = httpx.get(f"{broker}/environments").json()["_embedded"]["environments"]
        deployed = f"{broker}/environments/{prod['uuid']}/deployed-versions/currently-deployed"
        supported = f"{broker}/environments/{prod['uuid']}/released-versions/currently-supported"

        def current(url: str, key: str) -> list[tuple[str, str, str | None]]:
            records = httpx.get(url).json()["_embedded"][key]
            return sorted((r["_embedded"]["pacticipant"]["name"],
                           r["_embedded"]["version"]["number"], r["applicationInstance"])
                          for r in records)  # fmt: skip

        done = accord("publish", str(write_pact(tmp_path, reader_pact())), "--version", "r1",
                      **env)  # fmt: skip
        assert done.returncode == 0, done.stderr
        for name, number in (("shelf", "s1"), ("reader", "r2")):
            made = httpx.put(f"{broker}/pacticipants/{name}/versions/{number}", json={})
            assert made.status_code in (200, 201), made.text
        for instance in ("blue", "green"):
            done = accord("record-deployment", "shelf", "--environment", "prod", "--version",
                          "s1", "--application-instance", instance, **env)  # fmt: skip
            assert done.returncode == 0, done.stderr
        assert accord("record-deployment", "reader", "--environment", "prod", "--version", "r1",
                      **env).returncode == 0  # fmt: skip
        # one instance; a misspelt one is refused, named, and nothing changes
        wrong = accord("record-undeployment", "shelf", "--environment", "prod",
                       "--application-instance", "bleu", **env)  # fmt: skip
        assert wrong.returncode == 2 and wrong.stderr.count("\n") == 1
        assert "(did you mean 'blue'?)" in wrong.stderr and "there: s1 (blue), s1 (green)" in (
            wrong.stderr)  # fmt: skip
        assert len(current(deployed, "deployedVersions")) == 3
        done = accord("record-undeployment", "shelf", "--environment", "prod",
                      "--application-instance", "blue", **env)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "recorded undeployment of shelf version s1 from prod" in done.stdout
        assert current(deployed, "deployedVersions") == [("reader", "r1", None),
                                                         ("shelf", "s1", "green")]  # fmt: skip
        # without an instance: every instance of it; reader stays
        assert accord("record-undeployment", "shelf", "--environment", "prod",
                      **env).returncode == 0  # fmt: skip
        assert current(deployed, "deployedVersions") == [("reader", "r1", None)]
        # again: not deployed there, for Accord as for the Pact CLI
        again = accord("record-undeployment", "shelf", "--environment", "prod", **env)
        assert again.returncode == 2
        assert "shelf is not currently deployed in prod" in again.stderr
        theirs = pact_cli("record-undeployment", "--pacticipant", "shelf", "--environment",
                          "prod", "-b", broker)  # fmt: skip
        assert theirs.returncode != 0 and "not currently deployed" in theirs.stdout + theirs.stderr
        # the Pact CLI undeploys what Accord deployed, and the other way round
        assert pact_cli("record-undeployment", "--pacticipant", "reader", "--environment",
                        "prod", "-b", broker).returncode == 0  # fmt: skip
        assert current(deployed, "deployedVersions") == []
        unknown_env = accord("record-undeployment", "reader", "--environment", "prd", **env)
        assert unknown_env.returncode == 2
        assert "no environment named 'prd' (did you mean 'prod'?)" in unknown_env.stderr

        # releases: support of one version ends, the other's goes on
        for version in ("r1", "r2"):
            assert accord("record-release", "reader", "--environment", "prod", "--version",
                          version, **env).returncode == 0  # fmt: skip
        ended = accord("record-support-ended", "reader", "--environment", "prod", "--version",
                       "r1", **env)  # fmt: skip
        assert ended.returncode == 0, ended.stderr
        assert "recorded support ended of reader version r1 in prod" in ended.stdout
        assert current(supported, "releasedVersions") == [("reader", "r2", None)]
        missing = accord("record-support-ended", "reader", "--environment", "prod", "--version",
                         "r3", **env)  # fmt: skip
        assert missing.returncode == 2 and missing.stderr.count("\n") == 1
        assert "reader version r3 is not currently released and supported in prod" in (
            missing.stderr)  # fmt: skip
        assert missing.stderr.endswith("; there: r2\n")
        theirs = pact_cli("record-support-ended", "--pacticipant", "reader", "--version", "r1",
                          "--environment", "prod", "-b", broker)  # fmt: skip
        assert theirs.returncode != 0  # r1's support already ended, for the Pact CLI too
        assert pact_cli("record-support-ended", "--pacticipant", "reader", "--version", "r2",
                        "--environment", "prod", "-b", broker).returncode == 0  # fmt: skip
        assert current(supported, "releasedVersions") == []
