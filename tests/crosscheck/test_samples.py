"""Matcher classes read as Pact reads them: date/time formats against the Pact reference's
own implementation (the FFI pact-python ships, ``pact_ffi.validate_datetime``); regex
samples against a Rust regex engine (the FFI's ``check_regex`` is not bound in Python)."""

from __future__ import annotations

import re

import jsonschema_rs
import pact_ffi
import pytest

from accord.crosscheck._samples import date_format, regex_samples

FORMATS = [
    "yyyy-MM-dd",
    "HH:mm:ss",
    "HH:mm:ss.SSS",
    "yyyy-MM-dd'T'HH:mm:ssXXX",
    "yyyy-MM-dd'T'HH:mm:ss.SSSX",
    "yyyy-MM-dd'T'HH:mm:ssxxx",
    "yyyy-MM-dd'T'HH:mm:ss.SSSxx",
    "yyyy-MM-dd'T'HH:mm:ss.SSSSSSZZZZZ",
    "EEE, d MMM yyyy HH:mm:ss Z",
    "EEEE, MMMM d, yyyy",
    "yyyy-MM-dd HH:mm:ss z",
    "yyyy-MM-dd O",
    "yyyy-MM-dd OOOO",
    "dd/MM/yy",
    "yy-M-d",
    "yyyyMMddHHmmss",
    "yyyy-DDD",
    "h:mm a",
    "K:mm a",
    "k:mm",
    "yyyy-MM-dd G",
    "yyyy QQQ",
    "'at' HH 'o''clock'",
]


def _pact_accepts(value: str, pattern: str) -> bool:
    try:
        pact_ffi.validate_datetime(value, pattern)
    except (ValueError, RuntimeError):
        return False
    return True


@pytest.mark.parametrize("pattern", FORMATS)
def test_every_sample_of_a_format_is_one_pact_accepts(pattern: str) -> None:
    found = date_format(pattern)
    assert found is not None
    assert len(found.samples) >= 2
    for sample in found.samples:
        assert _pact_accepts(sample, pattern), sample
        assert found.accepts(sample)


#: values a schema may allow, each held against every format: the format's reading must
#: agree with Pact's on whether it matches
VALUES = [
    "2026-12-03",
    "2026-1-9",
    "26-01-09",
    "12026-01-09",
    "18:04:05",
    "18:04:05.123",
    "18:04:05Z",
    "2026-12-03T18:04:05Z",
    "2026-12-03T18:04:05+01:00",
    "2026-12-03T18:04:05+0100",
    "2026-12-03T18:04:05+01",
    "2026-12-03T18:04:05.123Z",
    "2026-12-03T18:04:05.5Z",
    "2026-12-03T18:04:05.123+01:00",
    "2026-12-03T18:04:05.123+0100",
    "2026-12-03T18:04:05.123456+00:00",
    "2026-12-03T18:04:05.123456Z",
    "2026-12-03T18:04:05.123456789Z",
    "2026-12-03t18:04:05z",
    "2026-12-03 18:04:05",
    "Thu, 3 Dec 2026 18:04:05 +0100",
    "03/12/26",
    "6:04 PM",
]


@pytest.mark.parametrize("pattern", FORMATS[:10])
def test_a_format_matches_what_pact_matches(pattern: str) -> None:
    found = date_format(pattern)
    assert found is not None
    disagree = [v for v in VALUES if found.accepts(v) != _pact_accepts(v, pattern)]
    assert disagree == []


@pytest.mark.parametrize(
    "pattern", ["yyyy-MM-dd'T'HH:mm:ss[.SSS]X", "yyyy-MM-dd VV", "yyyy-MM-dd'T", "bbbb", "yyyy#"]
)
def test_a_format_pact_cannot_read_gets_no_opinion(pattern: str) -> None:
    assert date_format(pattern) is None


@pytest.mark.parametrize(
    "regex",
    [
        r"^\d+$",
        r"\d{4}-\d{2}-\d{2}",
        r"^(PAID|REFUNDED|NEW)$",
        r"^[A-Z][a-z]+ [^0-9]*$",
        r"^prd_[A-Za-z0-9]{8,32}$",
        r"^Bearer [A-Za-z0-9._~+/=-]+$",
        r"^\w+@\w+\.com$",
        r"^[a-c]{2}(-[xyz])?$",
    ],
)
def test_regex_samples_match_the_regex_whole(regex: str) -> None:
    samples = regex_samples(regex)
    assert len(samples) >= 2
    rust = jsonschema_rs.validator_for({"pattern": regex})  # the engine Pact's FFI uses
    for sample in samples:
        assert re.fullmatch(regex, sample)
        assert rust.is_valid(sample)


def test_alternatives_are_each_drawn() -> None:
    assert sorted(regex_samples(r"^(PAID|REFUNDED|NEW)$")) == ["NEW", "PAID", "REFUNDED"]


def test_a_regex_with_a_back_reference_or_unreadable_gives_no_samples() -> None:
    assert regex_samples(r"(a)\1") == []
    assert regex_samples(r"([a-") == []


@pytest.mark.parametrize(
    "regex", [r"^(a+)+$", r"^(a|aa)+(?=b)b$", r"^a{100000}$", r"^((a{150}){150}){150}$", "(" * 500]
)
def test_a_hostile_or_huge_regex_gives_few_short_samples_at_once(regex: str) -> None:
    """Built by walking the parse tree, confirmed by a linear engine: nothing backtracks,
    and nothing longer than a few hundred characters is built."""
    samples = regex_samples(regex)
    assert all(len(s) <= 200 for s in samples)
    if regex == r"^(a+)+$":
        assert samples and all(set(s) == {"a"} for s in samples)
