"""Values the commands' options show in ``--help``, kept here, free of heavy imports, so
that ``--help`` does not load the library. Each equals the library's own
(tests/cli/test_startup.py checks)."""

from __future__ import annotations

DEFAULT_MAX_ROWS = 3000  # updater.reports.impact.DEFAULT_MAX_ROWS
