"""The shop's pacts travel through ``accord broker``, each step in its own process as
separate CI jobs would run it: consumers publish, each provider verifies from the broker
and publishes its results, can-i-deploy says yes and deployments are recorded in two
environments; then a provider version with a breaking change is verified, and
can-i-deploy says no for it and still yes for the version before it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.broker.conftest import accord, running_broker
from tests.verify.test_verify import plant, workspace_copy

pytestmark = pytest.mark.slow


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=ci", "-c", "user.email=ci@example.com", *args],
        cwd=root, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip


def test_the_shop_flows_through_the_broker(tmp_path: Path) -> None:
    root = workspace_copy(tmp_path / "shop")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the shop")
    first = git(root, "rev-parse", "HEAD")
    with running_broker(tmp_path) as url:

        def step(*args: str) -> subprocess.CompletedProcess[str]:
            return accord(*args, cwd=root, PACT_BROKER_BASE_URL=url, HOME=str(tmp_path))

        for env in ("staging", "prod"):
            assert step("create-environment", env).returncode == 0
        # each consumer's CI publishes its own pacts (version: the commit, branch: main)
        for consumer in ("orders", "storefront"):
            pacts = sorted(str(p) for p in (root / "contracts" / "pacts").glob(f"{consumer}-*"))
            published = step("publish", *pacts)
            assert published.returncode == 0, published.stdout + published.stderr
            assert f"published {len(pacts)} pact(s) as version {first}" in published.stdout
        # each provider's CI verifies what the broker selects and publishes the results
        for provider in ("catalog", "orders", "payments", "reviews"):
            run = step("verify", provider, "--skip-gates", "--no-properties",
                       "--selector", "mainBranch", "--selector", "deployedOrReleased")  # fmt: skip
            assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
            assert "published success" in run.stderr
        # providers first, then their consumers, into each environment
        for env in ("staging", "prod"):
            for service in ("payments", "catalog", "reviews", "orders", "storefront"):
                answer = step("can-i-deploy", service, "--to-environment", env)
                assert answer.returncode == 0, answer.stdout + answer.stderr
                assert answer.stdout.startswith(f"yes: {service} {first} can be deployed")
                assert step("record-deployment", service, "--environment", env).returncode == 0

        # a breaking change in catalog: a renamed response field, committed
        plant(
            root / "services" / "catalog" / "service.py",
            '        return _product(row, row["available"])\n',
            '        body = _product(row, row["available"]).model_dump(mode="json")\n'
            '        body["title"] = body.pop("name")\n'
            "        return body\n",
        )
        git(root, "commit", "-qam", "rename name to title")
        second = git(root, "rev-parse", "HEAD")
        broken = step("verify", "catalog", "--skip-gates", "--no-properties",
                      "--selector", "mainBranch", "--selector", "deployedOrReleased")  # fmt: skip
        assert broken.returncode == 1, broken.stdout[-3000:] + broken.stderr[-3000:]
        assert "published failure" in broken.stderr
        for env in ("staging", "prod"):
            no = step("can-i-deploy", "catalog", "--version", second, "--to-environment", env)
            assert no.returncode == 1, no.stdout + no.stderr
            assert "The verification for the pact between version" in no.stdout
            assert f"catalog ({second}) failed" in no.stdout
            yes = step("can-i-deploy", "catalog", "--version", first, "--to-environment", env)
            assert yes.returncode == 0, yes.stdout + yes.stderr
