"""The one reading of a person's TOML file (config and profiles): every mistake names its
line."""

from __future__ import annotations

from pathlib import Path

import pytest

from updater.errors import UpdaterError
from updater.files.toml_lines import TomlLines, read_toml

TEXT = """name = "x"
# a comment
[columns]
code = "CPT"
"description" = "Desc"

[[chargemaster]]
path = "a.csv"

[[chargemaster]]
path = "b.csv"
profile = "p.toml"
"""


@pytest.mark.parametrize(("key", "section", "index", "value", "line"), [
    ("name", None, None, None, 1),
    ("code", "columns", None, None, 4),
    ("description", "columns", None, None, 5),
    ("code", None, None, None, None),          # not at the top
    ("path", "chargemaster", 0, None, 8),
    ("path", "chargemaster", 1, None, 11),
    ("path", "chargemaster", None, "b.csv", 11),
    ("profile", "chargemaster", 0, None, None),
    ("columns", None, None, None, 3),          # a [table] of its own: its header
])
def test_a_key_is_found_on_its_line(key: str, section: str | None, index: int | None,
                                    value: str | None, line: int | None) -> None:
    assert TomlLines(TEXT).find(key, section, index, value=value) == line


def test_anywhere_is_the_default_and_headers_count_from_zero() -> None:
    lines = TomlLines(TEXT)
    assert lines.find("code") == 4
    assert lines.find("profile") == 12
    assert [lines.header_line("chargemaster", i) for i in range(3)] == [7, 10, None]


def test_read_toml_gives_the_document_and_its_text(tmp_path: Path) -> None:
    path = tmp_path / "ok.toml"
    path.write_bytes(b"\xef\xbb\xbf" + TEXT.encode())  # Notepad's BOM is fine
    data, text = read_toml(path, what="the profile", hint="h")
    assert data["columns"] == {"code": "CPT", "description": "Desc"}
    assert text == TEXT


@pytest.mark.parametrize(("raw", "message"), [
    (b'a = 1\nb = \n', "line 2: not valid TOML: invalid value at column 5; fix it"),
    (b'a = "x"\nb = "\xe9"\n', "line 2: the profile is not UTF-8 text; save the profile as "
                              "UTF-8 (TOML files are UTF-8)"),
])
def test_read_toml_names_the_line_of_a_mistake(tmp_path: Path, raw: bytes,
                                               message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(raw)
    with pytest.raises(UpdaterError) as caught:
        read_toml(path, what="the profile", hint=lambda m: "fix it")
    assert str(caught.value) == f"{path}, {message}"
