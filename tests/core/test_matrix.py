"""The matrix's rules, shared by ``accord broker`` and the local results store."""

from __future__ import annotations

from accord.core import MatrixRow, summarise_matrix


def row(success: bool | None, provider_version: str | None = "p1") -> MatrixRow:
    return MatrixRow("reader", "r1", "shelf", provider_version, "sha", success)


def test_every_row_passed_is_deployable() -> None:
    summary = summarise_matrix([row(True), row(True)])
    assert summary.deployable
    assert (summary.success, summary.failed, summary.unknown) == (2, 0, 0)
    assert summary.reasons == ("All required verification results are published and successful",)


def test_a_failed_or_missing_verification_is_not() -> None:
    summary = summarise_matrix([row(True), row(False), row(None)], "the version currently in prod")
    assert not summary.deployable
    assert (summary.success, summary.failed, summary.unknown) == (1, 1, 1)
    assert summary.reasons == (
        "The verification for the pact between version r1 of reader and the version currently"
        " in prod of shelf (p1) failed",
        "There is no verified pact between version r1 of reader and the version currently in"
        " prod of shelf (p1)",
    )


def test_no_version_of_the_other_side_is_not_deployable() -> None:
    summary = summarise_matrix([row(None, None)], "the version currently in prod")
    assert not summary.deployable
    assert "shelf (no version of it is currently in prod)" in summary.reasons[0]


def test_no_integrations_is_deployable() -> None:
    assert summarise_matrix([]).deployable
