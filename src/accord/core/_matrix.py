"""The compatibility matrix's rules, shared by the broker and the local results store.

A row pairs one consumer version's pact with one provider version and the newest
verification of that pact (by content) by that provider version: passed, failed,
or none. ``can-i-deploy`` says yes when every row it depends on passed; this is the
Pact Broker's rule (docs.pact.io/pact_broker/can_i_deploy, "the matrix"), and the
local flow without a broker applies the same one, so moving a workspace onto a
broker changes where results live, not what they mean.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["MatrixRow", "MatrixSummary", "summarise_matrix"]


@dataclass(slots=True, frozen=True)
class MatrixRow:
    consumer: str
    consumer_version: str | None
    provider: str
    provider_version: str | None  # None: no version of the provider where it is needed
    pact: str | None  # the pact's content id
    success: bool | None  # None: that provider version has not verified that pact
    result: int | None = None  # the verification result's id, where it is stored


@dataclass(slots=True, frozen=True)
class MatrixSummary:
    deployable: bool
    reasons: tuple[str, ...]  # why not, or the one reason why
    success: int
    failed: int
    unknown: int


def _between(row: MatrixRow, target: str) -> str:
    provider = (
        f"{target} of {row.provider} ({row.provider_version})"
        if row.provider_version is not None
        else f"{row.provider} (no version of it is {target.removeprefix('the version ')})"
    )
    return f"version {row.consumer_version} of {row.consumer} and {provider}"


def summarise_matrix(
    rows: Iterable[MatrixRow], target: str = "the latest version"
) -> MatrixSummary:
    """Deployable when every row passed; otherwise one reason per failed or missing row.

    ``target`` names the other side in the reasons ("the version currently in prod").
    No rows at all (no integrations) is deployable, as in the Pact Broker.
    """
    success = failed = unknown = 0
    reasons: list[str] = []
    for row in rows:
        if row.success is True:
            success += 1
        elif row.success is False:
            failed += 1
            reasons.append(f"The verification for the pact between {_between(row, target)} failed")
        else:
            unknown += 1
            reasons.append(f"There is no verified pact between {_between(row, target)}")
    if not reasons:
        reasons.append(
            "All required verification results are published and successful"
            if success
            else "There are no missing dependencies"
        )
    return MatrixSummary(failed == 0 and unknown == 0, tuple(reasons), success, failed, unknown)
