"""Every command of the official Pact CLI (``pact broker ...``, PyPI pact-python-cli) that
``accord broker`` serves, each checked three ways: its exit code, what it prints, and what
the broker stored (read back over HTTP). Where the CLI itself misbehaves, the test pins the
behaviour the README's broker section documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.broker.conftest import accord, pact_cli, reader_pact, write_pact

pytestmark = pytest.mark.slow  # a broker process and a few dozen CLI processes


def cli(broker: str, *args: str) -> tuple[int, str]:
    """(exit code, stdout + stderr) of ``pact broker ARGS -b BROKER``."""
    done = pact_cli(*args, "-b", broker)
    return done.returncode, done.stdout + done.stderr


def ok(broker: str, *args: str) -> str:
    code, out = cli(broker, *args)
    assert code == 0, out
    return out


def get(broker: str, path: str) -> Any:
    answer = httpx.get(broker + path, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def with_state(title: str, state: str, description: str = "a book") -> dict[str, Any]:
    pact = reader_pact(title, description)
    pact["interactions"][0]["providerStates"] = [{"name": state, "params": {"id": 1}}]
    return pact


def test_publish_tag_version_and_pacticipant_commands(any_broker: str, tmp_path: Path) -> None:
    broker = any_broker  # SQLite, and PostgreSQL
    pact = write_pact(tmp_path, reader_pact())
    out = ok(broker, "publish", str(pact), "--consumer-app-version", "r1", "--branch", "main",
             "--tag", "dev", "--build-url", "ci-42")  # fmt: skip
    assert "Created reader version r1 pact with shelf" in out
    version = get(broker, "/pacticipants/reader/versions/r1")
    assert (version["branch"], version["buildUrl"]) == ("main", "ci-42")
    assert [t["name"] for t in version["_embedded"]["tags"]] == ["dev"]

    out = ok(broker, "create-version-tag", "--pacticipant", "reader", "--version", "r1",
             "--tag", "prod-ready")  # fmt: skip
    assert "Tagging version 'r1' of pacticipant 'reader' with tag 'prod-ready'" in out
    tags = get(broker, "/pacticipants/reader/versions/r1")["_embedded"]["tags"]
    assert [t["name"] for t in tags] == ["dev", "prod-ready"]
    out = ok(broker, "create-or-update-version", "--pacticipant", "reader", "--version", "r2",
             "--branch", "feat", "--tag", "wip")  # fmt: skip
    assert "Branch 'feat' created for version 'r2'" in out
    r2 = get(broker, "/pacticipants/reader/versions/r2")
    assert r2["branch"] == "feat" and [t["name"] for t in r2["_embedded"]["tags"]] == ["wip"]

    # describe-version: the latest, a given one, the latest with a tag
    assert "│ r2 " in ok(broker, "describe-version", "--pacticipant", "reader")
    described = json.loads(ok(broker, "describe-version", "--pacticipant", "reader",
                              "--version", "r1", "-o", "json"))  # fmt: skip
    assert described["number"] == "r1" and described["branch"] == "main"
    tagged = ok(broker, "describe-version", "--pacticipant", "reader", "--latest", "dev",
                "-o", "json")  # fmt: skip
    assert json.loads(tagged)["number"] == "r1"
    code, out = cli(broker, "describe-version", "--pacticipant", "reader", "--version", "r9")
    assert code != 0 and "not found" in out.lower()

    out = ok(broker, "delete-version-tag", "--pacticipant", "reader", "--version", "r1",
             "--tag", "dev")  # fmt: skip
    assert "Successfully deleted tag 'dev'" in out
    tags = get(broker, "/pacticipants/reader/versions/r1")["_embedded"]["tags"]
    assert [t["name"] for t in tags] == ["prod-ready"]

    repo = "https://git.example/shelf"
    out = ok(broker, "create-or-update-pacticipant", "--name", "shelf", "--main-branch", "trunk",
             "--repository-url", repo, "--display-name", "Shelf")  # fmt: skip
    assert "shelf" in out
    shelf = get(broker, "/pacticipants/shelf")
    assert (shelf["mainBranch"], shelf["repositoryUrl"], shelf["displayName"]) == (
        "trunk", repo, "Shelf")  # fmt: skip
    described = ok(broker, "describe-pacticipant", "--name", "shelf")
    assert "Main Branch: trunk" in described and "Repo URL: https://git.example/shelf" in described
    listed = json.loads(ok(broker, "list-pacticipants", "-o", "json"))
    assert [p["name"] for p in listed["_embedded"]["pacticipants"]] == ["reader", "shelf"]

    assert "Successfully deleted branch 'feat'" in ok(
        broker, "delete-branch", "--pacticipant", "reader", "--branch", "feat"
    )
    assert httpx.get(broker + "/pacticipants/reader/branches/feat").status_code == 404
    assert get(broker, "/pacticipants/reader/versions/r2")["number"] == "r2"  # versions stay
    # the CLI exits 0 on a branch it cannot find (it prints that it was not found)
    code, out = cli(broker, "delete-branch", "--pacticipant", "reader", "--branch", "feat")
    assert code == 0 and "as it was not found" in out


def test_publish_merges_and_refuses_as_the_pact_broker(broker: str, tmp_path: Path) -> None:
    first = write_pact(tmp_path, reader_pact(), "first.json")
    second = write_pact(tmp_path, reader_pact(description="another book"), "second.json")
    assert "Created" in ok(broker, "publish", str(first), "--consumer-app-version", "1",
                           "--merge")  # fmt: skip
    out = ok(broker, "publish", str(second), "--consumer-app-version", "1", "--merge")
    assert "Merged into reader version 1 pact with shelf" in out
    stored = get(broker, "/pacts/provider/shelf/consumer/reader/version/1")
    assert sorted(i["description"] for i in stored["interactions"]) == ["a book", "another book"]
    # without --merge, another pact for the same version is refused; the CLI prints why
    code, out = cli(broker, "publish", str(first), "--consumer-app-version", "1")
    assert code != 0
    assert "contracts: version 1 of reader already has a different pact with shelf" in out
    # a merge with another request under the same description: 409, nothing changes
    clash = reader_pact()
    clash["interactions"][0]["request"]["path"] = "/books/2"
    code, out = cli(broker, "publish", str(write_pact(tmp_path, clash, "clash.json")),
                    "--consumer-app-version", "1", "--merge")  # fmt: skip
    assert code != 0
    assert "the interaction 'a book' is already in the pact with another request (path" in out
    after = get(broker, "/pacts/provider/shelf/consumer/reader/version/1")
    assert after["interactions"] == stored["interactions"]
    # accord publish --merge sends the same onConflict, and meets the same refusal
    third = write_pact(tmp_path, reader_pact(description="a third book"), "third.json")
    ours = accord("publish", str(third), "--broker", broker, "--version", "1", "--merge")
    assert ours.returncode == 0, ours.stdout + ours.stderr
    assert "Merged into reader version 1 pact with shelf" in ours.stdout
    stored = get(broker, "/pacts/provider/shelf/consumer/reader/version/1")
    assert len(stored["interactions"]) == 3
    refused = accord("publish", str(third), "--broker", broker, "--version", "1")
    assert refused.returncode == 2 and "409" in refused.stderr


def test_environment_deployment_and_release_commands(any_broker: str, tmp_path: Path) -> None:
    broker = any_broker  # SQLite, and PostgreSQL
    ok(broker, "publish", str(write_pact(tmp_path, reader_pact())), "--consumer-app-version", "r1")
    out = ok(broker, "create-environment", "--name", "prod", "--production",
             "--display-name", "Production")  # fmt: skip
    assert "Created prod environment" in out
    envs = json.loads(ok(broker, "list-environments", "-o", "json"))["_embedded"]["environments"]
    assert [(e["name"], e["displayName"], e["production"]) for e in envs] == [
        ("prod", "Production", True)]  # fmt: skip
    uuid = envs[0]["uuid"]
    assert "Name: prod" in ok(broker, "describe-environment", "--uuid", uuid)
    assert "Updated" in ok(broker, "update-environment", "--uuid", uuid, "--name", "prod",
                           "--display-name", "Live", "--production")  # fmt: skip
    assert get(broker, f"/environments/{uuid}")["displayName"] == "Live"

    deployed = f"/environments/{uuid}/deployed-versions/currently-deployed"
    out = ok(broker, "record-deployment", "--pacticipant", "reader", "--version", "r1",
             "--environment", "prod", "--application-instance", "blue")  # fmt: skip
    assert "Recorded deployment of reader version r1 to prod" in out
    [record] = get(broker, deployed)["_embedded"]["deployedVersions"]
    assert record["applicationInstance"] == "blue"
    assert record["_embedded"]["pacticipant"]["name"] == "reader"
    table = ok(broker, "describe-version", "--pacticipant", "reader", "--environment", "prod")
    assert "│ r1      ┆ Deployed ┆ prod        ┆ blue" in table
    out = ok(broker, "record-undeployment", "--pacticipant", "reader", "--environment", "prod",
             "--application-instance", "blue")  # fmt: skip
    assert "Undeployed reader from prod" in out
    assert get(broker, deployed)["_embedded"]["deployedVersions"] == []

    supported = f"/environments/{uuid}/released-versions/currently-supported"
    out = ok(broker, "record-release", "--pacticipant", "reader", "--version", "r1",
             "--environment", "prod")  # fmt: skip
    assert "Recorded release of reader version r1 to prod" in out
    assert len(get(broker, supported)["_embedded"]["releasedVersions"]) == 1
    out = ok(broker, "record-support-ended", "--pacticipant", "reader", "--version", "r1",
             "--environment", "prod")  # fmt: skip
    assert "Recorded support ended" in out
    assert get(broker, supported)["_embedded"]["releasedVersions"] == []

    assert "deleted successfully" in ok(broker, "delete-environment", "--uuid", uuid)
    assert httpx.get(f"{broker}/environments/{uuid}").status_code == 404
    assert get(broker, "/environments")["_embedded"]["environments"] == []


def verify(broker: str, version: str, success: bool, branch: str = "main") -> None:
    """Publish shelf ``version``'s result for reader's latest pact, as a verifier does."""
    pact = get(broker, "/pacts/provider/shelf/consumer/reader/latest")
    result = {"success": success, "providerApplicationVersion": version,
              "providerVersionBranch": branch}  # fmt: skip
    href = pact["_links"]["pb:publish-verification-results"]["href"]
    assert httpx.post(href, json=result, timeout=30).status_code == 201


def test_can_i_deploy_and_can_i_merge_agree_with_accord(broker: str, tmp_path: Path) -> None:
    ok(broker, "create-or-update-pacticipant", "--name", "reader", "--main-branch", "main")
    ok(broker, "create-or-update-pacticipant", "--name", "shelf", "--main-branch", "main")
    ok(broker, "publish", str(write_pact(tmp_path, reader_pact())), "--consumer-app-version",
       "r1", "--branch", "main")  # fmt: skip
    ok(broker, "create-environment", "--name", "prod")
    verify(broker, "s1", True)
    ok(broker, "record-deployment", "--pacticipant", "shelf", "--version", "s1",
       "--environment", "prod")  # fmt: skip

    def both(*args: str) -> tuple[int, int, str]:
        code, out = cli(broker, "can-i-deploy", "--pacticipant", "reader", *args)
        ours = accord("can-i-deploy", "reader", "--broker", broker, *args)
        return code, ours.returncode, out

    code, ours, out = both("--version", "r1", "--to-environment", "prod")
    assert (code, ours) == (0, 0), out
    assert "│ reader   ┆ r1        ┆ shelf    ┆ s1        ┆ true" in out
    assert "Computer says yes" in out
    # s2 fails reader's pact and replaces s1 in prod: reader r1 may no longer go there
    verify(broker, "s2", False)
    ok(broker, "record-deployment", "--pacticipant", "shelf", "--version", "s2",
       "--environment", "prod")  # fmt: skip
    code, ours, out = both("--version", "r1", "--to-environment", "prod")
    assert (code, ours) == (1, 1), out
    assert "┆ s2        ┆ false" in out and "Computer says no" in out
    # the latest version, and the latest of a branch, against the latest provider versions
    # (r1 is reader's latest version; Accord's can-i-deploy takes the version itself)
    code, out = cli(broker, "can-i-deploy", "--pacticipant", "reader", "--latest")
    assert code == 1 and "reader version r1 cannot be deployed" in out
    assert both("--version", "r1")[:2] == (1, 1)
    code, out = cli(broker, "can-i-deploy", "--pacticipant", "reader", "--branch", "main")
    assert code == 1 and "reader version r1 cannot be deployed" in out
    # can-i-merge: against the main branch of each integrated application
    code, out = cli(broker, "can-i-merge", "--pacticipant", "reader", "--version", "r1")
    assert code == 1 and "latest version from the main branch" in out
    verify(broker, "s3", True)
    assert cli(broker, "can-i-merge", "--pacticipant", "reader", "--version", "r1")[0] == 0
    # with -o json the CLI prints the matrix and exits 0 whatever it says (see README)
    code, out = cli(broker, "can-i-deploy", "--pacticipant", "reader", "--version", "r1",
                    "--to-environment", "prod", "-o", "json")  # fmt: skip
    assert code == 0 and json.loads(out)["summary"]["deployable"] is False


def test_pact_lists_and_provider_states(broker: str, tmp_path: Path) -> None:
    ok(broker, "create-or-update-pacticipant", "--name", "reader", "--main-branch", "main")
    for version, branch, state in (("r1", "main", "a book exists"), ("r2", "main", "it is lent"),
                                   ("r3", "feat", "it is lost")):  # fmt: skip
        path = write_pact(tmp_path, with_state(version, state), f"{version}.json")
        ok(broker, "publish", str(path), "--consumer-app-version", version, "--branch", branch)
    latest = json.loads(ok(broker, "list-latest-pact-versions", "-o", "json"))
    [only] = latest["pacts"]
    assert only["_embedded"]["consumer"]["_embedded"]["version"]["number"] == "r3"
    table = ok(broker, "list-latest-pact-versions")
    assert '"reader" ┆ "r3"' in table and '"shelf"' in table

    def listed(*args: str) -> list[str]:
        out = json.loads(ok(broker, "get-pacts", "--provider", "shelf", *args, "-o", "json"))
        return [p["title"] for p in out["pacts"]]

    assert listed() == ["Pact between reader (r2) and shelf", "Pact between reader (r1) and shelf"]
    assert listed("--latest") == ["Pact between reader (r2) and shelf"]
    assert listed("--branch", "feat") == ["Pact between reader (r3) and shelf"]
    table = ok(broker, "get-pacts", "--provider", "shelf", "--latest")
    assert "/pacts/provider/shelf/consumer/reader/version/r2" in table
    pact = json.loads(ok(broker, "get-pacts", "--provider", "shelf", "--consumer", "reader",
                         "--latest", "-o", "json"))  # fmt: skip
    assert pact["_links"]["pb:consumer-version"]["name"] == "r2"
    versions = json.loads(ok(broker, "get-pacts", "--provider", "shelf", "--consumer", "reader",
                             "-o", "json"))  # fmt: skip
    numbers = [p["_embedded"]["consumerVersion"]["number"] for p in versions["_embedded"]["pacts"]]
    assert numbers == ["r2", "r1"]

    def states(*args: str) -> list[tuple[str, list[str]]]:
        out = json.loads(ok(broker, "provider-states", "list", "--provider", "shelf", *args,
                            "--json"))  # fmt: skip
        return [(s["name"], s["consumers"]) for s in out["providerStates"]]

    assert states() == [("it is lent", ["reader"])]  # the main branch's latest pact
    assert states("--branch", "feat") == [("it is lost", ["reader"])]
    ok(broker, "create-environment", "--name", "prod")
    ok(broker, "record-release", "--pacticipant", "reader", "--version", "r1",
       "--environment", "prod")  # fmt: skip
    assert states("--environment", "prod") == [("a book exists", ["reader"])]
    table = ok(broker, "provider-states", "list", "--provider", "shelf")
    assert "it is lent" in table and '{"id":1}' in table
