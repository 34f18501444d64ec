"""Lint rules across the workspace: contracts against each other, and pact files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accord._findings import Severity
from accord.core import PathTemplate, encode_pointer
from accord.lint._registry import LintTarget, Report, rule

if TYPE_CHECKING:
    from accord.core import PactFile


@rule("path-clash", Severity.ERROR, scope="workspace")
def path_clash(target: LintTarget) -> Report:
    """No request path could belong to two services (the gateway routes by path alone)."""
    owners: list[tuple[str, PathTemplate]] = []
    for service, contract in sorted(target.contracts.items()):
        paths = contract.data.get("paths")
        for template in paths if isinstance(paths, dict) else ():
            parsed = PathTemplate.parse(template)
            for other_service, other in owners:
                if other_service != service and parsed.overlaps(other):
                    where = contract.root.source_map.locate_key(encode_pointer(["paths", template]))
                    yield (
                        where,
                        (
                            f"{template} of {service} overlaps {other.template} of "
                            f"{other_service}: a request could match both, so the gateway "
                            "cannot route it"
                        ),
                    )
            owners.append((service, parsed))


@rule("pact-well-formed", Severity.ERROR, scope="pact")
def pact_well_formed(pact: PactFile, target: LintTarget) -> Report:
    """Pact files have the structure the Pact specification (V2-V4) requires."""
    for pointer, message in pact.problems:
        yield pact.locate(pointer), message


@rule("pact-known-parties", Severity.WARNING, scope="pact")
def pact_known_parties(pact: PactFile, target: LintTarget) -> Report:
    """A workspace's pacts are between its own consumers and services."""
    if target.parties is None:
        return
    if pact.consumer and pact.consumer not in target.parties:
        yield (
            pact.locate("/consumer/name"),
            (f"consumer {pact.consumer!r} is not a service or consumer in accord.yaml"),
        )
    if pact.provider and pact.provider not in target.contracts:
        yield (
            pact.locate("/provider/name"),
            (f"provider {pact.provider!r} is not a service in accord.yaml"),
        )
