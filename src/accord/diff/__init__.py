"""``accord diff``: classify the changes between two contract versions, and who they break."""

from accord.diff._engine import diff_contracts
from accord.diff._format import FORMATS, render_diff, summary_line
from accord.diff._model import FAIL_ON, Change, Consumer, DiffResult, FailOn, Level, Target
from accord.diff._oasdiff import OASDIFF_IDS
from accord.diff._registry import RULES, Hit, Kind, Rule, all_ids, rule
from accord.diff._run import diff_files, diff_workspace, load_pacts

__all__ = [
    "FAIL_ON",
    "FORMATS",
    "OASDIFF_IDS",
    "RULES",
    "Change",
    "Consumer",
    "DiffResult",
    "FailOn",
    "Hit",
    "Kind",
    "Level",
    "Rule",
    "Target",
    "all_ids",
    "diff_contracts",
    "diff_files",
    "diff_workspace",
    "load_pacts",
    "render_diff",
    "rule",
    "summary_line",
]
