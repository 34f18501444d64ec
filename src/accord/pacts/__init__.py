"""Layer 3, pact files as committed contracts: merge, write, compare.

Consumer tests produce one pact per test; :func:`merge_pacts` joins them into one
document per (consumer, provider), :func:`write_pacts` writes them deterministically
(sorted interactions and keys, no timestamps) and :func:`compare_pacts` tells what
differs between two folders of pacts, ignoring what legitimately varies (the Pact
library versions under ``metadata``).
"""

from accord.pacts._compare import PactDrift, comparable, compare_pacts
from accord.pacts._files import (
    PactMergeError,
    dump_pact,
    merge_pacts,
    pact_consumer,
    pact_file_name,
    read_pact_dir,
    write_pacts,
)

__all__ = [
    "PactDrift",
    "PactMergeError",
    "comparable",
    "compare_pacts",
    "dump_pact",
    "merge_pacts",
    "pact_consumer",
    "pact_file_name",
    "read_pact_dir",
    "write_pacts",
]
