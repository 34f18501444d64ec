"""Untrusted AsyncAPI documents through every command that reads one: ``lint``, ``diff``,
``crosscheck`` and ``mock`` answer with ``file:line`` errors or findings, never a
traceback or a hang (the HTTP side: ``test_untrusted.py``, same harness).

Cases: cyclic ``$ref`` s (schemas, messages, a channel), nesting past the reader's limit,
an alias bomb, roots that are not mappings, unknown or junk versions, binary junk, NUL and
UTF-16 text, broken references, channel addresses with unbalanced braces or bad parameter
names, objects of the wrong type where AsyncAPI wants mappings, a FIFO, and a document of
thousands of channels.
"""

from __future__ import annotations

import itertools
import os
import random
from pathlib import Path

import pytest

from tests.core.helpers import accord_here, one_line, run_accord

REPO = Path(__file__).resolve().parents[2]
ORDERS = REPO / "contracts/asyncapi/orders.yaml"
PACT = REPO / "contracts/pacts/shipping-orders.json"
HEAD = "asyncapi: 3.0.0\ninfo: {title: t, version: '1'}\n"
SEND = "operations:\n  o: {action: send, channel: {$ref: '#/channels/c'}}\n"


def _channel(message: str, address: str = "a.b") -> str:
    return f"channels:\n  c:\n    address: '{address}'\n    messages:\n      m: {message}\n"


def _nested(levels: int) -> str:
    schema = "{type: object}"
    for _ in range(levels):
        schema = f"{{type: object, properties: {{a: {schema}}}}}"
    return schema


#: documents no command can use: (text, "line:col" of the error, words of the message)
REFUSED: dict[str, tuple[str | bytes, str, str]] = {
    "cyclic-schema": (
        HEAD + _channel("{payload: {$ref: '#/components/schemas/A'}}") + SEND
        + "components:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n"
        "    B: {$ref: '#/components/schemas/A'}\n",
        "13:15:", "$ref cycle",
    ),
    "cyclic-message": (
        HEAD + _channel("{$ref: '#/components/messages/M'}") + SEND
        + "components:\n  messages:\n    M: {$ref: '#/components/messages/N'}\n"
        "    N: {$ref: '#/components/messages/M'}\n",
        "13:15:", "$ref cycle",
    ),
    "cyclic-channel": (
        HEAD + "channels:\n  c: {$ref: '#/channels/c'}\n" + SEND, "6:37:", "$ref cycle",
    ),
    "deep-nesting": (
        HEAD + _channel(f"{{payload: {_nested(3000)}}}") + SEND, "7:", "nesting depth",
    ),
    "alias-bomb": (
        HEAD + "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in itertools.pairwise("abcdefghi")
        ),
        "1:1:", "alias bomb",
    ),
    "unknown-version": ("asyncapi: 9.9.9\ninfo: {title: t, version: '1'}\n", "1:11:",
                        "AsyncAPI 9.9.9 is not supported"),
    "junk-version": ("asyncapi: [1, 2]\ninfo: {title: t, version: '1'}\n", "1:11:",
                     "is not supported"),
    "missing-file": (HEAD + _channel("{payload: {$ref: 'nope.yaml#/X'}}") + SEND, "7:27:",
                     "does not exist"),
    "nowhere": (HEAD + _channel("{payload: {$ref: '#/components/schemas/X'}}") + SEND, "7:27:",
                "points nowhere"),
    "operation-channel-nowhere": (HEAD + "channels: {}\n" + SEND, "5:37:", "points nowhere"),
    "nul": (HEAD.replace("3.0.0", "3.0.0\x00"), "1:16:", "character #x0000 is not allowed"),
    "utf16": (HEAD.encode("utf-16"), "1:1:", "invalid UTF-8"),
    "junk": (bytes(random.Random(1).randrange(256) for _ in range(4000)), "1:1:", ""),
    "list-root": ("- asyncapi\n- 3.0.0\n", "1:1:", ""),
    "null-root": ("null\n", "1:1:", ""),
    "empty": ("", "1:1:", ""),
}  # fmt: skip

#: documents that load but break AsyncAPI's rules: lint says where, the others do not crash
BROKEN: dict[str, tuple[str, str]] = {
    "channels-list": (HEAD + "channels: [a, b]\noperations: [x]\n", "3:11:"),
    "messages-scalar": (
        HEAD + "channels:\n  c: {address: a, messages: 5}\n"
        "operations:\n  o: {action: send, channel: {$ref: '#/channels/c'}, messages: 7}\n",
        "4:29:",
    ),
    "operation-junk": (
        HEAD + "channels:\n  c: {address: a}\noperations:\n  o: {action: [1], channel: 5}\n",
        "6:15:",
    ),
    "example-types": (HEAD + _channel("{payload: {type: object}, examples: 5, headers: 7}")
                      + SEND, "7:"),
    "ref-to-scalar": (HEAD + "x-s: 5\n" + _channel("{$ref: '#/x-s'}") + SEND, "3:6:"),
    "address-int": (HEAD + _channel("{payload: {type: object}}").replace("'a.b'", "42") + SEND,
                    "5:14:"),
    "address-unclosed": (HEAD + _channel("{payload: {type: object}}", "orders.{id") + SEND,
                         "5:14:"),
    "address-bad-name": (
        HEAD + _channel("{payload: {type: object}}", "orders.{a(b}").replace(
            "    messages:", "    parameters: {'a(b': {}}\n    messages:"
        ) + SEND,
        "5:14:",
    ),
    "pattern-junk": (HEAD + _channel("{payload: {type: string, pattern: '(('}}") + SEND, "7:"),
}  # fmt: skip


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hostile")
    for name, (text, *_) in {**REFUSED, **BROKEN}.items():
        (out / f"{name}.yaml").write_bytes(text if isinstance(text, bytes) else text.encode())
    return out


def _commands(doc: Path) -> dict[str, tuple[str | Path, ...]]:
    return {
        "lint": ("lint", "-q", doc),
        "diff-self": ("diff", doc, doc),
        "diff-other": ("diff", doc, ORDERS),
        "crosscheck": ("crosscheck", doc, PACT),
    }


@pytest.mark.parametrize("command", ["lint", "diff-self", "diff-other", "crosscheck"])
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_an_unusable_document_is_one_located_line(folder: Path, name: str, command: str) -> None:
    _, where, words = REFUSED[name]
    doc = folder / f"{name}.yaml"
    code, lines = accord_here(*_commands(doc)[command])
    assert code == 2 and len(lines) == 1, lines
    assert f"{doc}:{where}" in lines[0] and words in lines[0], lines


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_document_is_linted_with_locations_and_read_by_the_rest(
    folder: Path, name: str
) -> None:
    doc = folder / f"{name}.yaml"
    code, lines = accord_here("lint", "-q", doc)
    assert code == 1 and lines, lines
    assert all(line.startswith(f"{doc}:") for line in lines), lines
    assert any(line.startswith(f"{doc}:{BROKEN[name][1]}") for line in lines), lines
    code, lines = accord_here("diff", doc, doc)
    assert code == 0 and "0 change(s)" in lines[0], lines
    code, lines = accord_here("diff", doc, ORDERS)
    assert code in (0, 1) and "change(s)" in lines[0], lines
    code, lines = accord_here("crosscheck", doc, PACT)
    assert code == 1 and "message.channel.unknown" in lines[0], lines  # no channel fits


@pytest.mark.slow
def test_a_fifo_or_a_refused_document_stops_every_command_at_once(tmp_path: Path) -> None:
    """A FIFO is refused without being opened for reading (it would block every command);
    ``mock`` refuses a document it cannot use before it connects to any broker."""
    fifo = tmp_path / "events.yaml"
    os.mkfifo(fifo)
    cyclic = tmp_path / "cyclic.yaml"
    cyclic.write_text(REFUSED["cyclic-message"][0])  # type: ignore[arg-type]
    for doc, words in ((fifo, "named pipe"), (cyclic, "$ref cycle")):
        for args in (*_commands(doc).values(), ("mock", doc, "--port", "1", "--count", "0")):
            line = one_line(run_accord(*args, cwd=tmp_path, timeout=20))
            assert str(doc.name) in line and words in line, (args, line)


@pytest.mark.slow
def test_a_document_of_thousands_of_channels_is_diffed_in_bounded_time(tmp_path: Path) -> None:
    """Diff's direction lookup scanned every operation per change: 342 s for 20,000 channels
    against the shop's document (quadratic); 8,000 took minutes, now seconds."""
    count = 8000
    channels = "".join(
        f"  c{i}:\n    address: 'x.{i}.{{id}}'\n    parameters: {{id: {{}}}}\n    messages:\n"
        f"      m: {{payload: {{type: object, properties: {{a: {{type: integer}}}}}}}}\n"
        for i in range(count)
    )
    operations = "".join(
        f"  o{i}: {{action: send, channel: {{$ref: '#/channels/c{i}'}}}}\n" for i in range(count)
    )
    doc = tmp_path / "big.yaml"
    doc.write_text(HEAD + "channels:\n" + channels + "operations:\n" + operations)
    done = run_accord("diff", doc, ORDERS, cwd=tmp_path, timeout=60)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert f"{2 * count + 12} change(s)" in done.stdout.splitlines()[0]
