"""Rendering the HTML reports: one Jinja2 environment over the templates shipped with the
package, autoescape on for every template, and the filters the reports share.

Every value a template prints is escaped unless it is ``Markup`` built here from escaped
pieces (``word_diff``), so a description holding ``<script>`` is shown as text.
"""

from __future__ import annotations

import difflib
import functools
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup, escape

from updater import __version__
from updater.codes import DOTTED, spell_code
from updater.errors import UpdaterError
from updater.files.output import atomic_path
from updater.vocabulary import CodeSystem

TEMPLATES_PACKAGE = "updater.reports.templates"


def _loader() -> jinja2.BaseLoader:
    """Templates from the installed ``updater.reports.templates`` package (the top-level
    ``templates/`` folder): a plain ``pip install .`` must ship them, so there is no
    fallback to a source checkout that would hide a packaging mistake."""
    return jinja2.PackageLoader(TEMPLATES_PACKAGE, ".")


def slug(text: str) -> str:
    """A name for a file: ``Emergency Medicine`` -> ``emergency-medicine``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _number(value: Any) -> str:
    """Thousands separators: ``74044`` -> ``74,044``; blank for None."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def _money(value: Any) -> str:
    """Dollars with cents: ``-1234.5`` -> ``-$1,234.50``; blank for None."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    amount = float(value)
    return f"{'-' if amount < 0 else ''}${abs(amount):,.2f}"


def _date(value: Any) -> str:
    """ISO dates (unambiguous in every locale); a time in UTC to the minute."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _code(value: Any, system: CodeSystem | str = CodeSystem.ICD10CM,
          spelling: str = DOTTED) -> str:
    """A code as people write it (``M1711`` -> ``M17.11`` for ICD-10-CM), or as the file
    it comes from writes codes (``spelling``, :mod:`updater.codes`)."""
    if value is None or value == "":
        return ""
    return spell_code(str(value), CodeSystem(system), spelling or DOTTED)


def _percent(value: Any, digits: int = 0) -> str:
    """A share (0.25) as ``25%``."""
    if value is None:
        return ""
    return f"{float(value) * 100:.{digits}f}%"


_TOKEN = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> Markup:
    """The new title with the words that changed marked: removed words in ``<del>``,
    inserted words in ``<ins>``; every word escaped."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(str(escape("".join(a[i1:i2]))))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return Markup("".join(out))


@functools.cache
def environment() -> jinja2.Environment:
    """The one environment of the reports (built once: templates compile once)."""
    env = jinja2.Environment(
        loader=_loader(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(number=_number, money=_money, date=_date, code=_code, percent=_percent,
                       word_diff=word_diff)
    env.globals.update(word_diff=word_diff, generator="updater", version=__version__)
    return env


def render(template: str, **context: Any) -> str:
    """The named template rendered; ``created`` (now, UTC) and ``inputs`` (the files or
    releases the report was made from, for the footer) default when not given."""
    context.setdefault("created", datetime.now(UTC))
    context.setdefault("inputs", [])
    try:
        tmpl = environment().get_template(template)
    except (jinja2.TemplateNotFound, ModuleNotFoundError, ValueError) as exc:
        # ModuleNotFoundError / ValueError: PackageLoader finds no updater.reports.templates
        raise UpdaterError(f"report template {template!r} is not installed",
                           hint="reinstall updater with 'pip install .' from a full checkout"
                           ) from exc
    return tmpl.render(**context)


def write_html(html: str, path: str | Path) -> Path:
    """The page written atomically (temp file, then rename); returns the path."""
    target = Path(path)
    with atomic_path(target) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return target

