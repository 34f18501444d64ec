"""The results store: results are keyed by pact, contract and provider version; a pact not
verified has no result; stores from before versions are migrated and never count."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from accord.verify import ResultsStore, provider_version
from accord.workspace import load_workspace
from tests.verify.conftest import COMMAND, accord, git, shelf_workspace

PACT = "reader-shelf.json"


def record(root: Path, passed: bool, version: str | None = None) -> None:
    workspace = load_workspace(root)
    at = provider_version(workspace, "shelf", version)
    ResultsStore(root / ".accord" / "results.sqlite3").record(
        workspace, "shelf", workspace.pacts_dir / PACT, "reader", passed, at
    )


def test_a_new_commit_of_the_provider_is_not_an_old_yes(tiny_git: Path) -> None:
    record(tiny_git, passed=True)
    answer = accord("can-i-deploy", "shelf", cwd=tiny_git)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    head = git(tiny_git, "rev-parse", "HEAD")
    assert f"shelf: version {head} (git commit)" in answer.stderr

    (tiny_git / "shelfsvc" / "__init__.py").write_text("BOOKS = ['dune']\n")
    git(tiny_git, "commit", "-q", "-am", "a change to the provider's code")
    answer = accord("can-i-deploy", "shelf", cwd=tiny_git)
    new = git(tiny_git, "rev-parse", "HEAD")
    assert answer.returncode == 1, answer.stdout
    assert (
        f"no verification result for {PACT} (reader -> shelf) at shelf version {new} "
        f"(last verified at {head})" in answer.stdout
    )
    # the consumer cannot go out either: its provider's current code is unverified
    assert accord("can-i-deploy", "reader", cwd=tiny_git).returncode == 1


def test_uncommitted_changes_to_the_provider_are_a_version_of_their_own(tiny_git: Path) -> None:
    workspace = load_workspace(tiny_git)
    clean = provider_version(workspace, "shelf")
    assert clean.source == "git commit" and "-dirty" not in clean.value
    # a change outside the provider's sources leaves its version alone
    (tiny_git / "notes.txt").write_text("hello\n")
    assert provider_version(workspace, "shelf") == clean
    source = tiny_git / "shelfsvc" / "__init__.py"
    source.write_text("BOOKS = ['dune']\n")
    first = provider_version(workspace, "shelf")
    assert first.value.startswith(f"{clean.value}-dirty.")
    record(tiny_git, passed=True)
    assert accord("can-i-deploy", "shelf", cwd=tiny_git).returncode == 0
    source.write_text("BOOKS = ['dune', 'emma']\n")  # another edit: another version
    second = provider_version(workspace, "shelf")
    assert second.value.startswith(f"{clean.value}-dirty.") and second != first
    answer = accord("can-i-deploy", "shelf", cwd=tiny_git)
    assert answer.returncode == 1 and f"at shelf version {second.value}" in answer.stdout


def test_provider_version_flag_overrides_git(tiny_git: Path) -> None:
    record(tiny_git, passed=True, version="1.4.2")
    assert accord("can-i-deploy", "shelf", cwd=tiny_git).returncode == 1  # HEAD is not 1.4.2
    answer = accord("can-i-deploy", "shelf", "--provider-version", "1.4.2", cwd=tiny_git)
    assert answer.returncode == 0, answer.stdout
    assert "shelf: version 1.4.2 (--provider-version)" in answer.stderr
    record(tiny_git, passed=False, version="1.4.3")
    answer = accord("can-i-deploy", "shelf", "--provider-version", "1.4.3", cwd=tiny_git)
    assert answer.returncode == 1
    assert f"{PACT} (reader -> shelf) failed its verification at shelf version 1.4.3" in (
        answer.stdout
    )


def test_outside_git_the_version_is_a_digest_of_the_sources_and_says_so(tiny: Path) -> None:
    workspace = load_workspace(tiny)
    version = provider_version(workspace, "shelf")
    assert version.value.startswith("src.")
    assert "not a git repository" in version.source and "shelfsvc" in version.source
    record(tiny, passed=True)
    answer = accord("can-i-deploy", "shelf", cwd=tiny)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert "not a git repository" in answer.stderr
    (tiny / "shelfsvc" / "__init__.py").write_text("BOOKS = ['dune']\n")
    assert accord("can-i-deploy", "shelf", cwd=tiny).returncode == 1


def test_pacts_not_verified_are_not_recorded_as_failed(tiny_git: Path) -> None:
    record(tiny_git, passed=True)
    run = accord(
        "verify", "--no-pacts", "--no-properties", "--skip-gates", "--report", "reports",
        cwd=tiny_git,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    with sqlite3.connect(tiny_git / ".accord" / "results.sqlite3") as conn:
        assert conn.execute("SELECT count(*), sum(passed) FROM verifications").fetchone() == (1, 1)
    assert accord("can-i-deploy", "shelf", cwd=tiny_git).returncode == 0
    # with nothing recorded at all, the answer says a result is missing, not that it failed
    (tiny_git / ".accord" / "results.sqlite3").unlink()
    accord("verify", "--no-pacts", "--no-properties", "--skip-gates", cwd=tiny_git)
    answer = accord("can-i-deploy", "shelf", cwd=tiny_git)
    assert answer.returncode == 1
    assert "no verification result for reader-shelf.json (reader -> shelf) at shelf version" in (
        answer.stdout
    )
    assert "failed" not in answer.stdout


def test_a_store_from_before_versions_is_migrated_and_its_rows_never_count(
    tiny_git: Path,
) -> None:
    db = tiny_git / ".accord" / "results.sqlite3"
    db.parent.mkdir()
    workspace = load_workspace(tiny_git)
    from accord.verify._store import digest  # noqa: PLC0415

    with sqlite3.connect(db) as conn:  # the schema and a passing row as the old code wrote them
        conn.executescript(
            "CREATE TABLE verifications (provider TEXT NOT NULL, consumer TEXT NOT NULL, "
            "pact_sha256 TEXT NOT NULL, contract_sha256 TEXT NOT NULL, passed INTEGER NOT NULL, "
            "git_commit TEXT, verified_at TEXT NOT NULL);"
        )
        conn.execute(
            "INSERT INTO verifications VALUES ('shelf', 'reader', ?, ?, 1, ?, '2026-01-01')",
            (
                digest(workspace.pacts_dir / PACT),
                digest(workspace.services["shelf"].contract),
                git(tiny_git, "rev-parse", "HEAD"),
            ),
        )
    conn.close()
    answer = accord("can-i-deploy", "shelf", cwd=tiny_git)  # read-only: no migration on disk
    assert answer.returncode == 1, answer.stdout + answer.stderr
    assert "recorded before versions were kept" in answer.stdout
    record(tiny_git, passed=True)  # a writer migrates the store and adds a versioned row
    with sqlite3.connect(db) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(verifications)")]
        assert "provider_version" in columns
        assert conn.execute("SELECT count(*) FROM verifications").fetchone() == (2,)
    conn.close()
    assert accord("can-i-deploy", "shelf", cwd=tiny_git).returncode == 0


def test_a_command_providers_own_folder_is_its_version(tmp_path: Path) -> None:
    """A service in another language, started by ``command`` in its own ``cwd``: a change
    to its code there is a new version, whatever generated code it also has."""
    root = shelf_workspace(tmp_path, COMMAND)
    (root / "generated" / "shelf").mkdir(parents=True)  # as the shop's Node service has
    (root / "generated" / "shelf" / "models.py").write_text("X = 1\n")
    (root / "shelf" / "node_modules").mkdir()  # ignored, as git would
    (root / "shelf" / "node_modules" / "dep.js").write_text("1\n")
    unversioned = provider_version(load_workspace(root), "shelf")
    (root / "shelf" / "node_modules" / "dep.js").write_text("2\n")
    assert provider_version(load_workspace(root), "shelf") == unversioned
    (root / "shelf" / "shelf.py").write_text("# changed\n", encoding="utf-8")
    assert provider_version(load_workspace(root), "shelf") != unversioned  # no git: a digest
    (root / ".gitignore").write_text("node_modules/\n")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first")
    clean = provider_version(load_workspace(root), "shelf")
    assert clean.source == "git commit"
    (root / "shelf" / "shelf.py").write_text("# changed again\n", encoding="utf-8")
    dirty = provider_version(load_workspace(root), "shelf")
    assert dirty.value.startswith(f"{clean.value}-dirty."), dirty
    assert "shelf" in dirty.source
