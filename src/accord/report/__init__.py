"""Reports: findings as text, JSON and SARIF."""

from accord.report._findings_format import FORMATS, render

__all__ = ["FORMATS", "render"]
