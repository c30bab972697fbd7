"""The ICD-10-CM tabular XML reader (CDC ``icd10cm_tabular_2024.xml``): codes and headers
by the order file's rules, titles, and the instructional notes (synthetic XML of the real
structure: ``ICD10CM.tabular`` > ``chapter`` > ``section`` > ``diag`` ...)."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from tests_helpers import chapter_xml, diag_xml, order_line, section_xml, tabular_xml

from updater.errors import UnknownFormatError, UpdaterError
from updater.files.sources import Source
from updater.releases.readers import ReadOptions, load_release
from updater.releases.readers.icd10cm_tabular import READER, is_tabular, parse_tabular
from updater.releases.store import ReleaseStore

SEVEN = {"A": "initial encounter", "D": "subsequent encounter", "S": "sequela"}
FRACTURE = {"A": "initial encounter for closed fracture", "B": "initial encounter for open "
            "fracture"}
SMALL = tabular_xml(chapter_xml(
    "1", "Synthetic conditions (Q00-Q09)",
    section_xml(
        "Q00-Q04", "Synthetic conditions, first block (Q00-Q04)",
        diag_xml("Q00", "Synthetic category",
                 diag_xml("Q00.0", "Synthetic code zero",
                          notes={"inclusionTerm": ["Synthetic synonym"]}),
                 diag_xml("Q00.1", "Synthetic code one, café variant"),
                 notes={"excludes1": ["synthetic other thing (Q05)"]}),
        diag_xml("Q01", "Synthetic injury",
                 diag_xml("Q01.0", "Synthetic injury of head"),
                 diag_xml("Q01.1", "Synthetic injury of arm",
                          diag_xml("Q01.11", "Synthetic injury of right arm")),
                 diag_xml("Q01.2", "Synthetic poisoning",
                          diag_xml("Q01.2X", "Synthetic poisoning",
                                   diag_xml("Q01.2X1", "Synthetic poisoning, accidental"),
                                   placeholder=True)),
                 diag_xml("Q01.3", "Synthetic fracture",
                          diag_xml("Q01.30", "Synthetic fracture, unspecified"),
                          seven=FRACTURE),
                 notes={"sevenChrNote": ["The appropriate 7th character is to be added to "
                                         "each code from category Q01"]},
                 seven=SEVEN),
        diag_xml("Q02", "Synthetic multiple injuries", seven={"A": "initial encounter"})),
    section_xml(
        "Q05-Q09", "Synthetic conditions, second block (Q05-Q09)",
        diag_xml("Q05", "Synthetic three-character code",
                 notes={"codeFirst": ["underlying synthetic disease (Q06.-)"],
                        "useAdditionalCode": ["code for the synthetic agent (Q07)"]}),
        diag_xml("Q06", "Synthetic eye condition",
                 diag_xml("Q06.0", "Synthetic eye condition, mild"),
                 diag_xml("Q06.1", "Synthetic eye condition, severe",
                          diag_xml("Q06.11", "Synthetic eye condition, severe, with edema"),
                          seven={"1": "right eye", "2": "left eye"})),
        notes={"includes": ["synthetic conditions of the second block"]}),
    notes={"excludes2": ["synthetic conditions elsewhere (Q90-Q99)"]}))

# what the CDC's order file lists for the same codes (flag 1 billable, 0 header), by its rules
ORDER_ROWS = [
    ("Q00", "0", "Synthetic category"),
    ("Q000", "1", "Synthetic code zero"),
    ("Q001", "1", "Synthetic code one, café variant"),
    ("Q01", "0", "Synthetic injury"),
    ("Q010", "0", "Synthetic injury of head"),
    ("Q010XXA", "1", "Synthetic injury of head, initial encounter"),
    ("Q010XXD", "1", "Synthetic injury of head, subsequent encounter"),
    ("Q010XXS", "1", "Synthetic injury of head, sequela"),
    ("Q011", "0", "Synthetic injury of arm"),
    ("Q0111", "0", "Synthetic injury of right arm"),
    ("Q0111XA", "1", "Synthetic injury of right arm, initial encounter"),
    ("Q0111XD", "1", "Synthetic injury of right arm, subsequent encounter"),
    ("Q0111XS", "1", "Synthetic injury of right arm, sequela"),
    ("Q012", "0", "Synthetic poisoning"),
    ("Q012X", "0", "Synthetic poisoning"),
    ("Q012X1", "0", "Synthetic poisoning, accidental"),
    ("Q012X1A", "1", "Synthetic poisoning, accidental, initial encounter"),
    ("Q012X1D", "1", "Synthetic poisoning, accidental, subsequent encounter"),
    ("Q012X1S", "1", "Synthetic poisoning, accidental, sequela"),
    ("Q013", "0", "Synthetic fracture"),
    ("Q0130", "0", "Synthetic fracture, unspecified"),
    ("Q0130XA", "1", "Synthetic fracture, unspecified, initial encounter for closed fracture"),
    ("Q0130XB", "1", "Synthetic fracture, unspecified, initial encounter for open fracture"),
    ("Q02", "0", "Synthetic multiple injuries"),
    ("Q02XXXA", "1", "Synthetic multiple injuries, initial encounter"),
    ("Q05", "1", "Synthetic three-character code"),
    ("Q06", "0", "Synthetic eye condition"),
    ("Q060", "1", "Synthetic eye condition, mild"),
    ("Q061", "0", "Synthetic eye condition, severe"),
    ("Q0611", "0", "Synthetic eye condition, severe, with edema"),
    ("Q0611X1", "1", "Synthetic eye condition, severe, with edema, right eye"),
    ("Q0611X2", "1", "Synthetic eye condition, severe, with edema, left eye"),
]
RECORD = {"0": "header", "1": "code"}
EXPECTED = pd.DataFrame({"code": [c for c, _, _ in ORDER_ROWS],
                         "record": [RECORD[f] for _, f, _ in ORDER_ROWS],
                         "long": [t for _, _, t in ORDER_ROWS]})


def order_file(rows: list[tuple[str, str, str]]) -> str:
    return "\r\n".join(order_line(i, c, f, t) for i, (c, f, t) in enumerate(rows, 1)) + "\r\n"


def write(tmp_path: Path, data: str | bytes, name: str = "icd10cm_tabular_2030.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _declared(encoding: str) -> str:
    return SMALL.replace('encoding="utf-8"', f'encoding="{encoding}"')


@pytest.mark.parametrize("data", [
    SMALL.encode("utf-8"),
    b"\xef\xbb\xbf" + SMALL.encode("utf-8"),  # with a byte-order mark
    _declared("utf-16").encode("utf-16"),
    SMALL.replace("\n", "\r\n").encode("utf-8"),
    _declared("windows-1252").encode("cp1252"),
    SMALL.split("\n", 1)[1].encode("cp1252"),  # no declaration, not UTF-8: read as the rest
    SMALL.replace("<ICD10CM.tabular>", "<!-- synthetic -->\n<!DOCTYPE ICD10CM.tabular>\n"
                  "<ICD10CM.tabular>", 1).encode("utf-8"),
    SMALL.replace("\n", "").encode("utf-8"),  # one line
    # an external DTD is never fetched (the reader refuses any external entity it is asked
    # to resolve, so this would fail if it were)
    SMALL.replace("<ICD10CM.tabular>", '<!DOCTYPE ICD10CM.tabular SYSTEM '
                  '"http://example.invalid/tabular.dtd">\n<ICD10CM.tabular>', 1).encode(),
], ids=["utf-8", "bom", "utf-16", "crlf", "windows-1252", "undeclared-cp1252",
        "comment-doctype", "one-line", "external-dtd"])
def test_reads_codes_headers_and_titles_as_the_order_file_would(tmp_path, data):
    release, fmt = load_release(write(tmp_path, data))
    assert fmt == "icd10cm-tabular"
    assert (release.version, release.effective) == ("FY2030", date(2029, 10, 1))
    table = release.table
    assert list(table.columns) == ["code", "record", "short", "long"]
    pd.testing.assert_frame_equal(table[["code", "record", "long"]], EXPECTED.astype("str"))
    assert set(table["short"]) == {""}  # the tabular has no short titles
    assert all(str(t) == "str" for t in table.dtypes)


def test_its_records_match_the_order_file_of_the_same_codes(tmp_path):
    """The order file's rules are the authority: the tabular release of the same codes has
    the same codes, headers and long titles (its short titles are blank)."""
    tabular = load_release(write(tmp_path, SMALL))[0]
    order = load_release(write(tmp_path, order_file(ORDER_ROWS), "icd10cm-order-2030.txt"))[0]
    columns = ["code", "record", "long"]
    pd.testing.assert_frame_equal(tabular.table[columns], order.table[columns])
    assert (tabular.version, tabular.effective) == (order.version, order.effective)


def test_notes_of_every_element_in_the_publishers_order(tmp_path):
    notes = load_release(write(tmp_path, SMALL))[0].notes
    assert notes is not None
    assert list(notes.columns) == ["code", "record", "display", "title", "type", "text"]
    assert notes.values.tolist() == [
        ["Q00-Q09", "chapter", "Chapter 1", "Synthetic conditions (Q00-Q09)", "excludes2",
         "synthetic conditions elsewhere (Q90-Q99)"],
        ["Q00", "header", "Q00", "Synthetic category", "excludes1",
         "synthetic other thing (Q05)"],
        ["Q000", "code", "Q00.0", "Synthetic code zero", "inclusionTerm", "Synthetic synonym"],
        ["Q01", "header", "Q01", "Synthetic injury", "sevenChrNote",
         "The appropriate 7th character is to be added to each code from category Q01"],
        *[["Q01", "header", "Q01", "Synthetic injury", "sevenChrDef", f"{c}: {t}"]
          for c, t in SEVEN.items()],
        *[["Q013", "header", "Q01.3", "Synthetic fracture", "sevenChrDef", f"{c}: {t}"]
          for c, t in FRACTURE.items()],
        ["Q02", "header", "Q02", "Synthetic multiple injuries", "sevenChrDef",
         "A: initial encounter"],
        ["Q05-Q09", "section", "Q05-Q09", "Synthetic conditions, second block (Q05-Q09)",
         "includes", "synthetic conditions of the second block"],
        ["Q05", "code", "Q05", "Synthetic three-character code", "codeFirst",
         "underlying synthetic disease (Q06.-)"],
        ["Q05", "code", "Q05", "Synthetic three-character code", "useAdditionalCode",
         "code for the synthetic agent (Q07)"],
        ["Q061", "header", "Q06.1", "Synthetic eye condition, severe", "sevenChrDef",
         "1: right eye"],
        ["Q061", "header", "Q06.1", "Synthetic eye condition, severe", "sevenChrDef",
         "2: left eye"],
    ]
    assert all(str(t) == "str" for t in notes.dtypes)


@pytest.mark.parametrize(("diags", "codes"), [
    # a 7th character from the category reaches every leaf below it, padded with X to 6
    ([diag_xml("Q10", "C", diag_xml("Q10.1", "L"), seven={"A": "a"})],
     [("Q10", "header"), ("Q101", "header"), ("Q101XXA", "code")]),
    # the nearest sevenChrDef wins over the category's
    ([diag_xml("Q10", "C", diag_xml("Q10.1", "L", diag_xml("Q10.11", "M"), seven={"B": "b"}),
               seven={"A": "a"})],
     [("Q10", "header"), ("Q101", "header"), ("Q1011", "header"), ("Q1011XB", "code")]),
    # a six-character leaf needs no placeholder
    ([diag_xml("Q10", "C", diag_xml("Q10.123", "L"), seven={"1": "one", "9": "nine"})],
     [("Q10", "header"), ("Q10123", "header"), ("Q101231", "code"), ("Q101239", "code")]),
    # a seven-character code is whole: a 7th character cannot be added to it
    ([diag_xml("Q10", "C", diag_xml("Q10.1234", "L"), seven={"A": "a"})],
     [("Q10", "header"), ("Q101234", "code")]),
    # an empty sevenChrDef defines nothing; no 7th character: the leaf is billable
    ([diag_xml("Q10", "C", diag_xml("Q10.1", "L"), seven={})],
     [("Q10", "header"), ("Q101", "code")]),
    # lower-case names and a letter 7th character written in lower case
    ([diag_xml("q10", "C", diag_xml("q10.1", "L"), seven={"a": "a"})],
     [("Q10", "header"), ("Q101", "header"), ("Q101XXA", "code")]),
    # a code in a new shape (a letter second) is read as the file gives it
    ([diag_xml("QA0", "C", diag_xml("QA0.0101", "L"))],
     [("QA0", "header"), ("QA00101", "code")]),
], ids=["category", "nearest", "six", "seven", "empty-def", "lower-case", "new-shape"])
def test_seventh_characters_and_headers(diags, codes):
    xml = tabular_xml(chapter_xml("1", "Ch", section_xml("Q10-Q19", "S", *diags)))
    table, _ = parse_tabular(xml.encode(), "t.xml")
    assert list(zip(table["code"], table["record"], strict=True)) == codes


def test_notes_nobody_expected(tmp_path):
    """A note element the CDC adds later is kept under its own name; empty notes and text
    inside other structures (a table, the introduction) are not notes."""
    xml = tabular_xml(chapter_xml("1", "Ch", section_xml(
        "Q10-Q19", "S", diag_xml(
            "Q10", "C",
            "<visualImpairment><caption>t</caption><visCategory><note>not a note</note>"
            "</visCategory></visualImpairment>",
            notes={"codeAlso": ["", "synthetic also-code (Q11)"],
                   "reviewFirst": ["a synthetic new kind of note"]})), index=False))
    xml = xml.replace("<introduction>", "<introduction><note>intro</note>")
    _, notes = parse_tabular(xml.encode(), "t.xml")
    assert notes[["code", "type", "text"]].values.tolist() == [
        ["Q10", "codeAlso", "synthetic also-code (Q11)"],
        ["Q10", "reviewFirst", "a synthetic new kind of note"]]


@pytest.mark.parametrize(("index", "sections", "code"), [
    (True, ["Q10-Q14", "Q15-Q19"], "Q10-Q19"),
    (False, ["Q10-Q14", "Q15-Q19"], "Q10-Q19"),  # no sectionIndex: from the sections
    (True, ["Q10"], "Q10"),
], ids=["index", "sections", "one-category"])
def test_a_chapter_is_named_by_its_span(index, sections, code):
    xml = tabular_xml(chapter_xml("7", "Ch", *(section_xml(s, "S", diag_xml(
        s.split("-")[0], "C")) for s in sections), notes={"notes": ["n"]}, index=index))
    _, notes = parse_tabular(xml.encode(), "t.xml")
    assert notes[["code", "record", "display"]].values.tolist() == [[code, "chapter",
                                                                      "Chapter 7"]]


@pytest.mark.parametrize(("head", "expected"), [
    (SMALL.encode(), True),
    (b"\xef\xbb\xbf" + SMALL.encode(), True),
    (_declared("utf-16").encode("utf-16"), True),
    (b"<ICD10CM.tabular/>", True),
    (b'<?xml version="1.0"?>\n<ICD10CM.index><version>2030</version>', False),
    (b"<html><body>ICD10CM.tabular</body></html>", False),
    (order_file(ORDER_ROWS).encode(), False),
    (b"<ICD10CM.tabularX>", False),
    # heads of blanks (a README, a fixed-width file) are refused at once, not by trying
    # every way of splitting the blanks
    (b" " * 8192, False),
    (b"\r\n  \t" * 2000 + b"HCPCS", False),
], ids=["xml", "bom", "utf-16", "empty-root", "index", "html", "order", "other-root",
        "blanks", "blank-lines"])
def test_detected_by_its_root_element(head, expected):
    assert is_tabular(head) is expected


def test_read_from_the_cdc_zip_by_content(tmp_path):
    """The full-release zip also holds the index XMLs and PDFs; the tabular is found by its
    root element, and its version comes from the names as for the other CDC files."""
    path = tmp_path / "icd10cm-Table and Index-April-2031.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("icd10cm-tabular-April-2031.xml", SMALL)
        z.writestr("icd10cm-index-April-2031.xml",
                   '<?xml version="1.0"?><ICD10CM.index><version>2031</version></ICD10CM.index>')
        z.writestr("icd10cm-Tabular-April-2031.pdf", b"%PDF-1.4 synthetic")
    release, fmt = load_release(path)
    assert fmt == "icd10cm-tabular"
    assert (release.version, release.effective) == ("FY2031-April", date(2031, 4, 1))
    assert release.extra == {"members": "icd10cm-tabular-April-2031.xml"}
    assert len(release.table) == len(ORDER_ROWS)


def test_a_zip_with_the_order_file_too_gives_the_order_release_with_the_notes(tmp_path):
    """The order file is the authority for codes and titles (and has the short titles);
    the tabular lends the notes."""
    rows = [(c, f, t) for c, f, t in ORDER_ROWS if c != "Q05"]  # they may disagree
    path = tmp_path / "icd10cm-2030.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("icd10cm_tabular_2030.xml", SMALL)
        z.writestr("icd10cm-order-2030.txt", order_file(rows))
    release, fmt = load_release(path)
    assert fmt == "icd10cm-order"
    assert release.table["code"].tolist() == [c for c, _, _ in rows]
    assert release.table["short"].tolist() == [t[:60].rstrip() for _, _, t in rows]
    alone = load_release(write(tmp_path, SMALL))[0]
    assert release.notes is not None and alone.notes is not None
    pd.testing.assert_frame_equal(release.notes, alone.notes)
    assert release.extra == {"members": "icd10cm-order-2030.txt, icd10cm_tabular_2030.xml"}


def test_the_store_keeps_the_notes(tmp_path):
    store = ReleaseStore(tmp_path / "store")
    release = load_release(write(tmp_path, SMALL))[0]
    stored = store.import_release(release).release
    assert stored.notes_file and (store.root / stored.notes_file).exists()
    loaded = store.load("icd10cm:FY2030")
    assert loaded.notes is not None and release.notes is not None
    pd.testing.assert_frame_equal(loaded.notes, release.notes)
    # replaced by a release without notes: the notes file goes with the old data
    other = load_release(write(tmp_path, order_file(ORDER_ROWS), "icd10cm-order-2030.txt"))[0]
    replaced = store.import_release(other, replace=True).release
    assert replaced.notes_file is None and store.load("icd10cm:FY2030").notes is None
    assert not (store.root / stored.notes_file).exists()


TRUNCATED = SMALL[:SMALL.index("<diag>\n<name>Q01.1</name>") + 20]
XXE = SMALL.replace("<ICD10CM.tabular>", '<!DOCTYPE ICD10CM.tabular [\n<!ENTITY xxe SYSTEM '
                    '"file:///etc/passwd">\n]>\n<ICD10CM.tabular>', 1).replace(
    "Synthetic code zero", "&xxe;", 1)
LAUGHS = SMALL.replace("<ICD10CM.tabular>", '<!DOCTYPE ICD10CM.tabular [<!ENTITY a "aaaa">'
                       '<!ENTITY b "&a;&a;&a;&a;">]>\n<ICD10CM.tabular>', 1)
HINT = "re-download the tabular XML from the CDC"
BAD_CHAR = 'char="S"'


def line_of(text: str) -> int:
    """The line of SMALL where ``text`` first appears."""
    return SMALL[:SMALL.index(text)].count("\n") + 1


@pytest.mark.parametrize(("data", "message"), [
    (TRUNCATED, f"line {TRUNCATED.count(chr(10)) + 1}: not well-formed XML (unclosed token, "
     f"column 12); the file ends before its elements are closed; the file looks truncated; "
     f"{HINT}"),
    (XXE, "line 3: the XML declares an entity ('xxe'); updater never expands entities in a "
     f"publisher's file (the CDC's tabular XML declares none); {HINT}"),
    (LAUGHS, "line 2: the XML declares an entity ('a'); updater never expands entities in a "
     f"publisher's file (the CDC's tabular XML declares none); {HINT}"),
    (SMALL.replace("<name>Q00.1</name>", "", 1),
     f"line {line_of('<name>Q00.1') - 1}: a <diag> without a <name> (its code); {HINT}"),
    (SMALL.replace(BAD_CHAR, 'char="SS"', 1),
     f"line {line_of(BAD_CHAR)}: a 7th character must be one letter or digit, not 'SS' "
     f"(extension char=...); {HINT}"),
    (SMALL.replace("<name>Q00.1</name>", "<name>Q00.0</name>", 1),
     f"line {line_of('<name>Q00.1') - 1}: duplicate code Q000 (also on line "
     f"{line_of('<name>Q00.0') - 1}); each code may appear once; "
     "re-download the publisher's file"),
    (tabular_xml(chapter_xml("1", "Ch", section_xml("Q10-Q19", "S"))),
     f"the tabular XML has no <diag> elements (no codes); {HINT}"),
    (tabular_xml(), f"line 1: the tabular XML has no chapters; {HINT}"),
    (SMALL.replace("Synthetic code zero", "Synthetic & code", 1),
     f"line {line_of('Synthetic code zero')}: not well-formed XML (not well-formed (invalid "
     "token), column 18); " + HINT),
], ids=["truncated", "external-entity", "billion-laughs", "no-name", "bad-7th", "duplicate",
        "no-diag", "no-chapter", "bare-ampersand"])
def test_a_damaged_file_is_one_clear_error(tmp_path, data, message):
    path = write(tmp_path, data)
    with pytest.raises(UpdaterError) as err:
        load_release(path)
    where = ", " if message.startswith("line ") else ": "
    assert str(err.value) == f"{path}{where}{message}"


def test_another_xml_forced_as_tabular_names_its_root(tmp_path):
    path = write(tmp_path, '<?xml version="1.0"?>\n<ICD10CM.index><version>2030</version>'
                 "</ICD10CM.index>", "icd10cm_index_2030.xml")
    with pytest.raises(UnknownFormatError):  # not detected as a release
        load_release(path)
    with pytest.raises(UpdaterError) as err:
        load_release(path, ReadOptions(format="icd10cm-tabular"))
    assert str(err.value) == (
        f"{path}, line 2: the root element is <ICD10CM.index>, not <ICD10CM.tabular>: this is "
        "not the ICD-10-CM tabular XML; name the CDC's icd10cm_tabular XML, or another --format")


def test_the_reader_reads_notes_alone():
    source = Source(Path("icd10cm_tabular_2030.xml"), _data=SMALL.encode())
    assert READER.sniff(source)
    notes = READER.read_notes(source)
    assert notes["type"].value_counts().to_dict()["sevenChrDef"] == 8
