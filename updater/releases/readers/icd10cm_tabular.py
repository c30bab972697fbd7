"""ICD-10-CM tabular list (CDC ``icd10cm_tabular_2024.xml``, ``icd10cm-tabular-2026.xml``):
codes, titles and the instructional notes coders work by.

The XML is a tree: ``ICD10CM.tabular`` > ``chapter`` > ``section`` > ``diag`` > ``diag`` ...
Each element has a ``name`` (a code written with its dot, ``A00.0``; a chapter's number)
and a ``desc`` (title), then note elements (``includes``, ``excludes1``, ``codeFirst`` ...)
that each hold ``note`` children, and ``sevenChrDef`` (``extension char="A"``).

The release table follows the order file's rules, which are the authority (DOMAIN.md):
every ``diag`` with children is a header; a leaf is a billable code, unless a 7th
character applies to it (the nearest ``sevenChrDef`` up the tree): then the leaf is a
header and its codes are the leaf padded with the placeholder ``X`` to 6 characters plus
each 7th character, titled ``<leaf title>, <7th character's text>``. The tabular has no
short titles (``short`` is blank), and a restriction written only in a note's text (such
as "7th characters D and S do not apply to ...") is not applied: where the order file is
in the same zip, it gives the records and this file the notes (``load_release``).

The file (~10 MB) is parsed by expat in one pass with a handler per element, so every
problem names its line. No entity is ever expanded: a file that declares one (the way
an XML external entity or a "billion laughs" attack works) is refused.
"""

from __future__ import annotations

import re
import xml.parsers.expat as expat
from dataclasses import dataclass, field
from typing import NoReturn

import numpy as np
import pandas as pd
import pyarrow as pa

from updater.codes import normalize_code
from updater.errors import UpdaterError
from updater.files.sources import Source
from updater.files.text import decode_text
from updater.model import CODE, LONG, NOTE_COLUMNS, RECORD, SHORT
from updater.releases.readers import _lines
from updater.releases.readers.base import ReaderOutput, ReadOptions
from updater.vocabulary import CodeSystem, NoteType, RecordType, ReleaseKind

ROOT = "ICD10CM.tabular"
CODE_LENGTH = 7  # a 7th character makes the code whole
PLACEHOLDER = "X"
_ELEMENT_PARENTS = {"chapter": {ROOT}, "section": {"chapter"},
                    "diag": {"chapter", "section", "diag"}}
_ELEMENTS = frozenset(_ELEMENT_PARENTS)
_NOT_NOTES = {"name", "desc", "sectionIndex", NoteType.SEVEN_CHR_DEF.value}
_HINT = "re-download the tabular XML from the CDC"
# what may come before the root element: blanks, the XML declaration, comments, a DOCTYPE
# (possessive, one blank at a time: a head of blanks must not make the match backtrack)
_PROLOG = rb"(?:\s|<\?xml[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)*+"
_SNIFF = re.compile(_PROLOG + b"<" + re.escape(ROOT.encode()) + rb"[\s/>]", re.DOTALL)
_DECLARED = re.compile(rb"^\s*<\?xml[^>]*\bencoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


@dataclass
class _Element:
    """A chapter, section or diag while it is read."""

    kind: str
    parent: int | None  # index of the enclosing element
    depth: int
    line: int
    name: str = ""
    desc: str = ""
    has_children: bool = False
    seven: list[tuple[str, str]] | None = None  # (char, text) of its own sevenChrDef
    notes: list[tuple[str, str]] = field(default_factory=list)  # (type, text)
    spans: list[tuple[str, str]] = field(default_factory=list)  # chapter: (first, last)
    sections: list[str] = field(default_factory=list)  # chapter: its sections' ids


def _head_bytes(head: bytes) -> bytes:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore").encode("utf-8")
    return head.removeprefix(b"\xef\xbb\xbf")


def is_tabular(head: bytes) -> bool:
    """True when the file's root element is ``ICD10CM.tabular``."""
    return bool(_SNIFF.match(_head_bytes(head)))


def _as_parsable(data: bytes, file: str) -> bytes:
    """The bytes expat should read. A file that declares no encoding (or UTF-8) but is not
    UTF-8 is read as every text file is (``decode_text``: Windows-1252), instead of failing
    on its first accented letter."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data  # UTF-16 with its byte-order mark: expat reads it
    declared = _DECLARED.match(data[:200].removeprefix(b"\xef\xbb\xbf"))
    if declared and declared.group(1).lower().replace(b"_", b"-") not in {b"utf-8", b"utf8"}:
        return data  # the file names its encoding: expat (and Python's codecs) read it
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return decode_text(data, file).encode("utf-8")
    return data


class _TabularParser:
    """One pass over the XML: the elements in document order, with their notes."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.elements: list[_Element] = []
        self.open: list[int] = []  # indexes of the chapter/section/diag elements open now
        self.depth = 0
        self.child = ""  # tag of the open direct child of the innermost element
        self.text: list[str] | None = None  # text being collected
        self.text_depth = 0
        self.extension = ""  # char of the 7th character being read
        self.extension_line = 0
        self.parser = expat.ParserCreate()
        p = self.parser
        p.buffer_text = True
        p.buffer_size = 1 << 16
        p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        p.EntityDeclHandler = self._entity
        p.ExternalEntityRefHandler = self._external
        p.StartElementHandler = self._start
        p.EndElementHandler = self._end
        p.CharacterDataHandler = self._chars

    def error(self, message: str, line: int | None = None, hint: str = _HINT) -> UpdaterError:
        return UpdaterError(message, file=self.file,
                            line=line if line is not None else self.parser.CurrentLineNumber,
                            hint=hint)

    def fail(self, message: str, line: int | None = None, hint: str = _HINT) -> NoReturn:
        raise self.error(message, line, hint)

    def parse(self, data: bytes) -> list[_Element]:
        try:
            self.parser.Parse(_as_parsable(data, self.file), True)
        except expat.ExpatError as exc:
            reason = expat.ErrorString(exc.code) or "malformed"
            cut = exc.code in (expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS],
                               expat.errors.codes[expat.errors.XML_ERROR_UNCLOSED_TOKEN])
            raise self.error(f"not well-formed XML ({reason}, column {exc.offset + 1})"
                             + ("; the file ends before its elements are closed" if cut else ""),
                             exc.lineno,
                             "the file looks truncated; " + _HINT if cut else _HINT) from None
        if not self.elements:
            self.fail("the tabular XML has no chapters", 1)
        return self.elements

    # -- expat handlers

    def _entity(self, name: str, *_: object) -> None:
        self.fail(f"the XML declares an entity ({name!r}); updater never expands entities "
                  "in a publisher's file (the CDC's tabular XML declares none)")

    def _external(self, *_: object) -> int:
        self.fail("the XML refers to an external entity; updater never reads one")

    def _chars(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def _collect(self) -> None:
        self.text, self.text_depth = [], self.depth

    def _start(self, tag: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth == 1:
            if tag != ROOT:
                self.fail(f"the root element is <{tag}>, not <{ROOT}>: this is not the "
                          "ICD-10-CM tabular XML", hint="name the CDC's icd10cm_tabular XML, "
                          "or another --format")
            return
        inner = self.elements[self.open[-1]] if self.open else None
        parent_tag = inner.kind if inner is not None else ROOT
        at_child = self.depth == (inner.depth + 1 if inner is not None else 2)
        if at_child and tag in _ELEMENTS and parent_tag in _ELEMENT_PARENTS[tag]:
            if inner is not None:
                inner.has_children = True
            self.open.append(len(self.elements))
            self.elements.append(_Element(
                kind=tag, parent=self.open[-2] if len(self.open) > 1 else None,
                depth=self.depth, line=self.parser.CurrentLineNumber,
                name=attrs.get("id", "") if tag == "section" else ""))
            self.child = ""
            return
        if inner is None:
            return  # version, introduction: nothing a release needs
        if at_child:
            self.child = tag
            if tag in ("name", "desc"):
                self._collect()
            elif tag == NoteType.SEVEN_CHR_DEF.value and inner.seven is None:
                inner.seven = []
        elif self.depth == inner.depth + 2 and self.child:
            if tag == "note" and self.child not in _NOT_NOTES:
                self._collect()
            elif tag == "extension" and self.child == NoteType.SEVEN_CHR_DEF.value:
                self.extension = attrs.get("char", "")
                self.extension_line = self.parser.CurrentLineNumber
                self._collect()
            elif tag == "sectionRef" and self.child == "sectionIndex":
                first, last = attrs.get("first", ""), attrs.get("last", "")
                if first:
                    inner.spans.append((first, last or first))

    def _end(self, tag: str) -> None:
        inner = self.elements[self.open[-1]] if self.open else None
        if self.text is not None and self.depth == self.text_depth and inner is not None:
            text = "".join(self.text).strip()
            self.text = None
            if tag == "name":
                inner.name = text
            elif tag == "desc":
                inner.desc = text
            elif tag == "extension":
                if len(self.extension) != 1:
                    self.fail(f"a 7th character must be one letter or digit, not "
                              f"{self.extension!r} (extension char=...)", self.extension_line)
                assert inner.seven is not None
                inner.seven.append((self.extension, text))
            elif text:  # a note; an empty <note/> says nothing
                inner.notes.append((self.child, text))
        if inner is not None:
            if self.depth == inner.depth:
                self._close(inner)
                self.open.pop()
                self.child = ""
            elif self.depth == inner.depth + 1:
                self.child = ""
        self.depth -= 1

    def _close(self, element: _Element) -> None:
        if element.kind == "diag" and not element.name:
            self.fail("a <diag> without a <name> (its code)", element.line)
        if element.kind == "section":
            element.name = element.name or element.desc
            if element.parent is not None and element.name:
                self.elements[element.parent].sections.append(element.name)
        if element.seven == []:
            element.seven = None  # an empty sevenChrDef defines nothing: the parent's holds



def _chapter_code(chapter: _Element) -> str:
    """A chapter's span (``A00-B99``) from its section index, else from its sections."""
    spans = chapter.spans or [(s.split("-")[0], s.split("-")[-1]) for s in chapter.sections]
    if not spans:
        return f"Chapter {chapter.name}"
    first, last = spans[0][0], spans[-1][1]
    return first if first == last else f"{first}-{last}"


def parse_tabular(data: bytes, file: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tabular XML as the normalized release table and its notes (NOTE_COLUMNS)."""
    elements = _TabularParser(file).parse(data)
    seven: list[list[tuple[str, str]] | None] = []
    codes: list[str] = []
    records: list[str] = []
    longs: list[str] = []
    lines: list[int] = []
    n_code, n_record, n_display, n_title, n_type, n_text = [], [], [], [], [], []
    header, billable = RecordType.HEADER.value, RecordType.CODE.value
    for e in elements:
        inherited = e.seven if e.seven is not None else (
            seven[e.parent] if e.parent is not None else None)
        seven.append(inherited)
        if e.kind == "diag":
            code = normalize_code(e.name)
            takes_seventh = inherited is not None and len(code) < CODE_LENGTH
            record = header if e.has_children or takes_seventh else billable
            codes.append(code)
            records.append(record)
            longs.append(e.desc)
            lines.append(e.line)
            if takes_seventh and not e.has_children:
                assert inherited is not None
                stem = code.ljust(CODE_LENGTH - 1, PLACEHOLDER)
                for char, text in inherited:
                    codes.append(stem + char.upper())
                    records.append(billable)
                    longs.append(f"{e.desc}, {text}" if text else e.desc)
                    lines.append(e.line)
            display = e.name
        elif e.kind == "section":
            code, record, display = e.name, RecordType.SECTION.value, e.name
        else:
            code = _chapter_code(e)
            record, display = RecordType.CHAPTER.value, f"Chapter {e.name}"
        notes = list(e.notes)
        if e.seven is not None:
            notes += [(NoteType.SEVEN_CHR_DEF.value, f"{char}: {text}") for char, text in e.seven]
        for note_type, text in notes:
            n_code.append(code)
            n_record.append(record)
            n_display.append(display)
            n_title.append(e.desc)
            n_type.append(note_type)
            n_text.append(text)
    if not codes:
        raise UpdaterError("the tabular XML has no <diag> elements (no codes)", file=file,
                           hint=_HINT)
    string = pa.string()
    table = _lines.to_frame({
        CODE: pa.array(codes, type=string), RECORD: pa.array(records, type=string),
        SHORT: pa.array(np.full(len(codes), ""), type=string),
        LONG: pa.array(longs, type=string)})
    _lines.check_unique(table[CODE], np.asarray(lines), file=file)
    notes_frame = _lines.to_frame({
        name: pa.array(values, type=string) for name, values in zip(
            NOTE_COLUMNS, (n_code, n_record, n_display, n_title, n_type, n_text), strict=True)})
    return table, notes_frame


class IcdTabularReader:
    name = "icd10cm-tabular"
    title = "ICD-10-CM tabular list XML (CDC; codes, headers, titles and instructional notes)"
    system = CodeSystem.ICD10CM
    kind = ReleaseKind.FULL
    rank = 15  # below the order file (short titles, the authority), above the codes file

    def sniff(self, source: Source) -> bool:
        return is_tabular(source.head())

    def read(self, source: Source, options: ReadOptions, bundle: list[Source]) -> ReaderOutput:
        table, notes = parse_tabular(source.read(), source.display)
        return ReaderOutput(table=table, notes=notes)

    def read_notes(self, source: Source) -> pd.DataFrame:
        return parse_tabular(source.read(), source.display)[1]


READER = IcdTabularReader()
