"""``python -m services.orders``: serve orders; ``... dead-letters``: its outbox's dead letters.

``dead-letters [--db PATH]`` lists the events the relay could not publish (sequence
number, event id, when, why); ``dead-letters replay ID... | --all [--db PATH]`` checks
them again with the current models and moves those that pass back to the outbox
(``services.orders.events.replay_dead_letters``). Exit 0 when every one named was
replayed (or listed), 1 when some are still refused or named nothing (or there is no
database), 2 for a command line it cannot use; each error is one line.
"""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from accord.runtime import Database, serve_main
from services.orders._store import SCHEMA
from services.orders.app import DEFAULT_DB, create
from services.orders.events import DeadLetter, dead_letters, replay_dead_letters


def _line(letter: DeadLetter) -> str:
    return f"{letter.seq}\t{letter.event_id}\t{letter.dead_at}\t{letter.reason}"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line, not the usage block: exit 2, as for any command line it cannot use."""
        self.exit(2, f"error: {message} (see `{self.prog} --help`)\n")


def dead_letters_main(argv: Sequence[str]) -> int:
    """The ``dead-letters`` command; its exit code."""
    parser = _Parser(
        prog="python -m services.orders dead-letters",
        description="List orders' outbox dead letters, or replay them.",
    )
    parser.add_argument("action", nargs="?", choices=["list", "replay"], default="list")
    parser.add_argument("ids", nargs="*", metavar="ID", help="event ids or sequence numbers")
    parser.add_argument("--all", action="store_true", help="replay every dead letter")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    args = parser.parse_intermixed_args(argv)
    if args.action == "list" and (args.ids or args.all):
        parser.error("IDs and --all go with `replay`")
    if args.action == "replay" and bool(args.ids) == args.all:
        parser.error("replay needs IDs or --all (not both)")
    if not args.db.is_file():
        print(f"error: {args.db}: no orders database there (--db PATH)", file=sys.stderr)
        return 1
    db = Database(args.db, SCHEMA)
    if args.action == "list":
        letters = dead_letters(db)
        for letter in letters:
            print(_line(letter))
        print(f"{len(letters)} dead letter(s)", file=sys.stderr)
        return 0
    done = replay_dead_letters(db, None if args.all else args.ids)
    for letter in done.replayed:
        print(f"replayed\t{_line(letter)}")
    for letter in done.refused:
        print(f"refused\t{_line(letter)}")
    for unknown in done.unknown:
        print(f"error: no dead letter {unknown!r} (see `dead-letters`)", file=sys.stderr)
    print(
        f"{len(done.replayed)} replayed, {len(done.refused)} still refused, "
        f"{len(dead_letters(db))} left",
        file=sys.stderr,
    )
    return 1 if done.refused or done.unknown else 0


if len(sys.argv) > 1 and sys.argv[1] == "dead-letters":
    sys.exit(dead_letters_main(sys.argv[2:]))
sys.exit(serve_main("orders", create, 8102))
