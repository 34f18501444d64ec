"""``accord lint``: OpenAPI validity, contract rules, workspace rules and pact files."""

from accord.lint._registry import RULES, LintTarget, Rule, describe, rule
from accord.lint._rules_asyncapi import asyncapi_schema_errors
from accord.lint._runner import LintConfig, LintResult, lint_paths, lint_target, lint_workspace

__all__ = [
    "RULES",
    "LintConfig",
    "LintResult",
    "LintTarget",
    "Rule",
    "asyncapi_schema_errors",
    "describe",
    "lint_paths",
    "lint_target",
    "lint_workspace",
    "rule",
]
