"""Every path a user gives `accord verify` or `accord can-i-deploy` that cannot be used is a
one-line error naming the path and the reason, with exit code 2: never a traceback."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from accord._errors import AccordError
from accord.verify import ServiceResult, write_junit
from tests.verify.conftest import accord

VERIFY = ("verify", "--no-pacts", "--no-properties", "--skip-gates")


def assert_usage_error(proc: subprocess.CompletedProcess[str], *expected: str) -> None:
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert "Traceback" not in output, output
    errors = [line for line in proc.stderr.splitlines() if line.startswith("accord: error:")]
    assert len(errors) == 1, output
    for text in expected:
        assert text in errors[0], output


def not_sqlite(root: Path) -> Path:
    path = root / "results.txt"
    path.write_text("these are not the results you are looking for\n" * 100)
    return path


@pytest.mark.parametrize("command", ["can-i-deploy", "verify"])
def test_a_results_db_that_is_not_sqlite(tiny: Path, command: str) -> None:
    path = not_sqlite(tiny)
    args = ("can-i-deploy", "shelf") if command == "can-i-deploy" else VERIFY
    proc = accord(*args, "--results-db", path, cwd=tiny)
    assert_usage_error(proc, str(path), "not an SQLite file")


@pytest.mark.parametrize("command", ["can-i-deploy", "verify"])
def test_a_results_db_that_is_a_directory(tiny: Path, command: str) -> None:
    args = ("can-i-deploy", "shelf") if command == "can-i-deploy" else VERIFY
    proc = accord(*args, "--results-db", tiny / "contracts", cwd=tiny)
    assert_usage_error(proc, str(tiny / "contracts"), "is a directory")


def test_a_results_db_of_another_program(tiny: Path) -> None:
    path = tiny / "other.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE verifications (name TEXT)")
    conn.close()
    proc = accord("can-i-deploy", "shelf", "--results-db", path, cwd=tiny)
    assert_usage_error(proc, str(path), "not an accord results store")


def test_a_results_db_under_a_file(tiny: Path) -> None:
    path = not_sqlite(tiny) / "results.sqlite3"
    assert_usage_error(
        accord(*VERIFY, "--results-db", path, cwd=tiny), str(path), "cannot create its folder"
    )


def test_a_missing_results_db_is_no_result_and_is_not_created(tiny: Path) -> None:
    path = tiny / "nowhere" / "results.sqlite3"
    proc = accord("can-i-deploy", "shelf", "--results-db", path, cwd=tiny)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "no verification result for reader-shelf.json" in proc.stdout
    assert not path.parent.exists()


@pytest.mark.slow
@pytest.mark.parametrize("command", ["can-i-deploy", "verify"])
def test_a_locked_results_db(tiny: Path, command: str) -> None:
    path = tiny / "results.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("CREATE TABLE verifications (provider TEXT, pact_sha256 TEXT, "
                       "contract_sha256 TEXT, passed INTEGER)")  # fmt: skip
        holder.execute("BEGIN EXCLUSIVE")
        args = ("can-i-deploy", "shelf") if command == "can-i-deploy" else VERIFY
        proc = accord(*args, "--results-db", path, cwd=tiny)
    finally:
        holder.close()
    assert_usage_error(proc, str(path), "locked")


@pytest.mark.parametrize("report", ["/proc/nope", "results.txt"])
def test_a_report_folder_that_cannot_be_written(tiny: Path, report: str) -> None:
    not_sqlite(tiny)
    proc = accord(*VERIFY, "--report", report, cwd=tiny)
    assert_usage_error(proc, report, "cannot write there")


def test_a_report_file_that_cannot_be_written(tmp_path: Path) -> None:
    (tmp_path / "junit.xml").mkdir()  # a folder where the file should go
    with pytest.raises(AccordError, match=r"report .*junit\.xml: cannot write it: Is a directory"):
        write_junit([ServiceResult("shelf")], tmp_path / "junit.xml")
