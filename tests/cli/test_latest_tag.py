"""``accord can-i-deploy SERVICE --latest TAG``: the Pact CLI's optional value, read as
``--latest --tag TAG`` (typer has no options with an optional value)."""

from __future__ import annotations

import pytest

from accord.cli._cmd_broker import latest_tag_args

VALUED = {"--version", "--broker", "--to", "--to-environment", "--tag", "--branch"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["reader", "--latest", "prod"], ["reader", "--latest", "--tag", "prod"]),
        (["reader", "--latest=prod"], ["reader", "--latest", "--tag", "prod"]),
        (["--latest=prod", "reader"], ["--latest", "--tag", "prod", "reader"]),
        (["reader", "--latest"], ["reader", "--latest"]),
        (["reader", "--latest", "--to", "prod"], ["reader", "--latest", "--to", "prod"]),
        # SERVICE after --latest: it is SERVICE, not a tag
        (["--latest", "reader"], ["--latest", "reader"]),
        # an option's value is not SERVICE
        (["--broker", "http://b", "--latest", "reader"], ["--broker", "http://b", "--latest",
                                                          "reader"]),
        (["--broker=http://b", "reader", "--latest", "dev"],
         ["--broker=http://b", "reader", "--latest", "--tag", "dev"]),
        (["reader", "--", "--latest", "x"], ["reader", "--", "--latest", "x"]),
    ],
)  # fmt: skip
def test_latest_takes_an_optional_tag(args: list[str], expected: list[str]) -> None:
    assert latest_tag_args(args, VALUED) == expected
