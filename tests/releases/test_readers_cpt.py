"""CPT data file readers (AMA LONGULT / LONGULF / MEDU / SHORTU). Every descriptor here is
made up and says so: real CPT text is AMA copyright."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest

from updater.errors import UpdaterError
from updater.files.sources import Source
from updater.releases.readers import ReadOptions, load_release
from updater.releases.readers.cpt_fixed import READER as FIXED_READER
from updater.releases.readers.cpt_tab import READER as TAB_READER

NOTICE = ["SYNTHETIC TEST FILE - NOT AMA CONTENT.", "A notice of several lines,",
          "then a blank line, as the AMA's files open.", ""]
LONG = {"99213": "SYNTHETIC: office visit, established patient, level 3",
        "99214": "SYNTHETIC: office visit, established patient, level 4",
        "0042T": "SYNTHETIC: emerging technology code",
        "1234F": "SYNTHETIC: performance measure code",
        "0001U": "SYNTHETIC: proprietary laboratory analysis"}
MEDIUM = {code: f"SYNTHETIC MEDIUM {code}" for code in LONG}
SHORT = {code: f"SYNTH SHORT {code}" for code in LONG}
EFFECTIVE = ReadOptions(effective=date(2026, 1, 1))


def crlf(lines: list[str]) -> bytes:
    return "".join(f"{line}\r\n" for line in lines).encode()


def longult(rows: dict[str, str] = LONG, notice: list[str] = NOTICE) -> bytes:
    return crlf([*notice, *(f"{c}\t{t}" for c, t in rows.items())])


def spaced(rows: dict[str, str], notice: list[str] = NOTICE) -> bytes:
    return crlf([*notice, *(f"{c} {t}" for c, t in rows.items())])


def longulf(records: list[tuple[str, int, str]], notice: list[str] = NOTICE) -> bytes:
    return crlf([*notice, *(f"{c:<5}{s:02d} {t}".ljust(80) for c, s, t in records)])


def write(folder: Path, files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder / next(iter(files))


def expected(codes: list[str], *, long: bool = True, medium: bool = True,
             short: bool = True) -> list[tuple[str, str, str, str, str]]:
    return [(c, "code", SHORT[c] if short else "", LONG[c] if long else "",
             MEDIUM[c] if medium else "") for c in sorted(codes)]


def rows(path: Path, options: ReadOptions = EFFECTIVE) -> tuple[str, list[tuple[str, ...]]]:
    release, fmt = load_release(path, options)
    table = release.table
    assert list(table.columns) == ["code", "record", "short", "long", "medium"]
    assert release.system.value == "cpt"
    return fmt, [tuple(r) for r in table.itertuples(index=False)]


@pytest.mark.parametrize("notice", [
    NOTICE, [], ["Code\tDescriptor"], ["\ufeffSYNTHETIC NOTICE", "", "Code\tLong Descriptor"],
], ids=["notice", "none", "column-header", "bom-notice-and-header"])
def test_longult_alone(tmp_path: Path, notice: list[str]) -> None:
    fmt, got = rows(write(tmp_path, {"LONGULT.txt": longult(notice=notice)}))
    assert fmt == "cpt-tab"
    assert got == expected(list(LONG), medium=False, short=False)


@pytest.mark.parametrize("lead", ["LONGULT.txt", "MEDU.txt", "SHORTU.txt"])
def test_set_in_a_folder_whichever_file_is_named(tmp_path: Path, lead: str) -> None:
    files = {"LONGULT.txt": longult(), "MEDU.txt": spaced(MEDIUM), "SHORTU.txt": spaced(SHORT)}
    write(tmp_path, files)
    fmt, got = rows(tmp_path / lead)
    assert fmt == "cpt-tab"
    assert got == expected(list(LONG))


def test_set_in_a_zip_and_the_year_from_its_name(tmp_path: Path) -> None:
    path = tmp_path / "CPT 2026 data files.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("PLA/CPTPLA.txt", longult({"0001U": "SYNTHETIC PLA\tLab\tTest"}))
        z.writestr("standard/MEDU.txt", spaced(MEDIUM))  # first: the loader may hand it over
        z.writestr("standard/LONGULT.txt", longult())
        z.writestr("standard/LONGULF.txt", longulf([(c, 1, t) for c, t in LONG.items()]))
        z.writestr("standard/SHORTU.txt", spaced(SHORT))
        z.writestr("other/SHORTU.txt", spaced({c: "SYNTH WRONG FOLDER" for c in LONG}))
        z.writestr("standard/ConsumerDescriptor.txt",
                   "Concept Id\tCPT Code\tConsumer Friendly Descriptor\r\n"
                   "1000001\t99213\tSYNTHETIC consumer text\r\n")
    release, fmt = load_release(path)
    assert (fmt, release.version, release.effective) == ("cpt-tab", "2026", date(2026, 1, 1))
    assert [tuple(r) for r in release.table.itertuples(index=False)] == expected(list(LONG))


def test_medium_and_short_alone(tmp_path: Path) -> None:
    medium_only = {c: MEDIUM[c] for c in ("99213", "99214")}
    write(tmp_path / "a", {"MEDU.txt": spaced(medium_only)})
    fmt, got = rows(tmp_path / "a" / "MEDU.txt")
    assert fmt == "cpt-tab"
    assert got == expected(["99213", "99214"], long=False, short=False)
    write(tmp_path / "b", {"SHORTU.txt": spaced(SHORT)})
    assert rows(tmp_path / "b" / "SHORTU.txt")[1] == expected(list(LONG), long=False,
                                                             medium=False)


@pytest.mark.parametrize(("name", "texts", "column"), [
    ("cpt-short-2026.txt", SHORT, "short"),
    ("cpt-medium-2026.txt", MEDIUM, "medium"),
    ("descriptors-2026.txt", SHORT, "short"),  # by length: all 28 characters or fewer
    ("descriptors-2026.txt", {c: t + " AND MORE WORDS HERE" for c, t in MEDIUM.items()},
     "medium"),
])
def test_oddly_named_descriptor_file_by_content(tmp_path: Path, name: str,
                                                texts: dict[str, str], column: str) -> None:
    release, _ = load_release(write(tmp_path, {name: spaced(texts)}))
    assert release.table[column].tolist() == [texts[c] for c in sorted(texts)]
    assert set(release.table["long"]) == {""}


def test_a_code_missing_from_one_file_gets_empty_text(tmp_path: Path) -> None:
    write(tmp_path, {"LONGULT.txt": longult({c: LONG[c] for c in ("99213", "99214")}),
                     "MEDU.txt": spaced({c: MEDIUM[c] for c in ("99214", "0042T")})})
    _, got = rows(tmp_path / "LONGULT.txt")
    assert got == [("0042T", "code", "", "", MEDIUM["0042T"]),
                   ("99213", "code", "", LONG["99213"], ""),
                   ("99214", "code", "", LONG["99214"], MEDIUM["99214"])]


def test_modifiers_and_quoted_descriptors(tmp_path: Path) -> None:
    text = longult({"99214": '"SYNTHETIC: visit, ""quoted"" word"', "25": "SYNTHETIC: mod",
                    "1p": "SYNTHETIC: lower-case modifier"})
    _, got = rows(write(tmp_path, {"LONGULT.txt": text}))
    assert got == [("1P", "modifier", "", "SYNTHETIC: lower-case modifier", ""),
                   ("25", "modifier", "", "SYNTHETIC: mod", ""),
                   ("99214", "code", "", 'SYNTHETIC: visit, "quoted" word', "")]


def test_longulf_joins_continuation_records_in_sequence_order(tmp_path: Path) -> None:
    records = [("99214", 2, "established patient,"), ("99214", 1, "SYNTHETIC: office visit,"),
               ("0042T", 1, "SYNTHETIC: emerging technology code"), ("99214", 3, "level 4"),
               ("25", 1, "SYNTHETIC: modifier in the fixed file")]
    path = write(tmp_path, {"LONGULF.txt": longulf(records)})
    assert FIXED_READER.sniff(Source(path)) and not TAB_READER.sniff(Source(path))
    fmt, got = rows(path)
    assert fmt == "cpt-fixed"
    assert got == [("0042T", "code", "", "SYNTHETIC: emerging technology code", ""),
                   ("25", "modifier", "", "SYNTHETIC: modifier in the fixed file", ""),
                   ("99214", "code", "", "SYNTHETIC: office visit, established patient, "
                    "level 4", "")]


def test_longulf_with_medium_and_short_beside_it(tmp_path: Path) -> None:
    write(tmp_path, {"LONGULF.txt": longulf([(c, 1, t) for c, t in LONG.items()]),
                     "MEDU.txt": spaced(MEDIUM), "SHORTU.txt": spaced(SHORT)})
    for lead in ("LONGULF.txt", "MEDU.txt"):
        assert rows(tmp_path / lead)[1] == expected(list(LONG))


def test_the_long_file_named_is_used_but_capitals_give_way(tmp_path: Path) -> None:
    upper = {c: t.upper() for c, t in LONG.items()}
    write(tmp_path, {"LONGULT.txt": longult(), "LONGUT.txt": longult(upper),
                     "LONGULF.txt": longulf([(c, 1, "SYNTHETIC FIXED") for c in LONG])})
    assert rows(tmp_path / "LONGUT.txt")[1] == expected(list(LONG), medium=False, short=False)
    fixed = rows(tmp_path / "LONGULF.txt")[1]
    assert {r[3] for r in fixed} == {"SYNTHETIC FIXED"}


@pytest.mark.parametrize(("text", "tab", "fixed"), [
    (longult(), True, False),
    (spaced(MEDIUM), True, False),
    (longulf([("99214", 1, "SYNTHETIC")]), False, True),
    (crlf(["00001 Q00     0 " + "Synthetic".ljust(60) + " Synthetic",
           "00002 Q000    1 " + "Synthetic".ljust(60) + " Synthetic"]), False, False),
    (crlf(["Q000    Synthetic condition"]), False, False),  # ICD-10-CM codes file
    (crlf(["A0021001003" + "Synthetic ambulance".ljust(309)]), False, False),  # HCPCS
    (crlf(["Concept Id\tCPT Code\tConsumer Friendly Descriptor",
           "1000001\t99213\tSYNTHETIC consumer text"]), False, False),
    (crlf([*NOTICE, "99213\tSYNTHETIC", "this line is not data"]), False, False),
    (b"", False, False),
], ids=["longult", "medu", "longulf", "icd-order", "icd-codes", "hcpcs", "consumer",
        "not-data-after-codes", "empty"])
def test_sniff(tmp_path: Path, text: bytes, tab: bool, fixed: bool) -> None:
    source = Source(write(tmp_path, {"file.txt": text}))
    assert (TAB_READER.sniff(source), FIXED_READER.sniff(source)) == (tab, fixed)


HINT = "is this the AMA's CPT data file? take it unchanged from the AMA's zip"
TAB_LAYOUT = "a CPT long-descriptor line is the code, a tab and the descriptor"
SPACE_LAYOUT = "a CPT medium or short descriptor line is the code, one space and the descriptor"
FIXED_LAYOUT = ("a LONGULF line is the code in columns 1-5, a sequence number in 6-7, a blank "
                "in 8 and the descriptor text from 9")


@pytest.mark.parametrize(("name", "data", "line", "message"), [
    ("LONGULT.txt", crlf([*NOTICE, "99213\tSYNTHETIC", "99214 SYNTHETIC with a blank"]), 6,
     f"not a CPT data line: {TAB_LAYOUT}"),
    ("LONGULT.txt", crlf([*NOTICE, "99213\tSYNTHETIC", "99214\t   "]), 6,
     "no descriptor after the code"),
    ("LONGULT.txt", crlf([*NOTICE, "99213\tSYNTHETIC", "99214\tSYNTHETIC", "99213\tAGAIN"]), 7,
     "duplicate code 99213 (also on line 5); each code may appear once; re-download the "
     "publisher's file"),
    ("MEDU.txt", crlf([*NOTICE, "99213 SYNTHETIC", "9921 SYNTHETIC CUT CODE"]), 6,
     f"not a CPT data line: {SPACE_LAYOUT}"),
    ("LONGULF.txt", longulf([("99214", 1, "SYNTHETIC"), ("99214", 1, "AGAIN")]), 6,
     "sequence number 01 of code 99214 appears twice (also on line 5)"),
    ("LONGULF.txt", longulf([("99214", 1, "SYNTHETIC"), ("99214", 3, "GAP")]), 6,
     "the records of code 99214 jump from sequence number 01 to 03: a continuation record "
     "is missing"),
    ("LONGULF.txt", crlf([*NOTICE, "9921401 SYNTHETIC", "9921402" + " " * 10]), 6,
     "no descriptor text from column 9"),
    ("LONGULF.txt", crlf([*NOTICE, "9921401 SYNTHETIC", "99214 2 SYNTHETIC"]), 6,
     f"not a CPT data line: {FIXED_LAYOUT}"),
], ids=["tab-line-with-blank", "no-descriptor", "duplicate", "medu-bad-code",
        "fixed-duplicate-sequence", "fixed-gap", "fixed-no-text", "fixed-bad-sequence"])
def test_bad_lines_name_the_line(tmp_path: Path, name: str, data: bytes, line: int,
                                 message: str) -> None:
    path = write(tmp_path, {name: data})
    fmt = "cpt-fixed" if name == "LONGULF.txt" else "cpt-tab"  # a damaged file may not sniff
    with pytest.raises(UpdaterError) as err:
        load_release(path, ReadOptions(format=fmt, effective=date(2026, 1, 1)))
    hint = "" if message.endswith("publisher's file") else f"; {HINT}"
    assert str(err.value) == f"{path}, line {line}: {message}{hint}"
    assert err.value.line == line


def test_a_companion_file_s_errors_name_that_file(tmp_path: Path) -> None:
    write(tmp_path, {"LONGULT.txt": longult(), "SHORTU.txt": crlf(["99213 SYNTH", "junk"])})
    with pytest.raises(UpdaterError) as err:
        load_release(tmp_path / "LONGULT.txt", EFFECTIVE)
    assert str(err.value) == (f"{tmp_path / 'SHORTU.txt'}, line 2: not a CPT data line: "
                              f"{SPACE_LAYOUT}; {HINT}")


@pytest.mark.parametrize(("fmt", "layout"), [("cpt-tab", TAB_LAYOUT), ("cpt-fixed", FIXED_LAYOUT)])
def test_no_codes_at_all(tmp_path: Path, fmt: str, layout: str) -> None:
    name = "LONGULT.txt" if fmt == "cpt-tab" else "LONGULF.txt"
    path = write(tmp_path, {name: crlf(NOTICE)})
    with pytest.raises(UpdaterError) as err:
        load_release(path, ReadOptions(format=fmt, effective=date(2026, 1, 1)))
    assert str(err.value) == f"{path}: no CPT codes in the file ({layout}); {HINT}"


def test_forced_on_something_else(tmp_path: Path) -> None:
    path = write(tmp_path, {"notes.txt": crlf(["Just some notes", "nothing more"])})
    with pytest.raises(UpdaterError) as err:
        load_release(path, ReadOptions(format="cpt-tab", effective=date(2026, 1, 1)))
    assert str(err.value) == (f"{path}: not a CPT data file (no code, tab, descriptor lines "
                              f"nor code, space, descriptor lines after the notice); {HINT}")


def test_every_file_of_the_set_is_in_the_audit_trail(tmp_path: Path) -> None:
    """MEDU and SHORTU beside LONGULT went into the release: their checksums are kept."""
    import hashlib

    write(tmp_path, {"LONGULT.txt": longult(), "MEDU.txt": spaced(MEDIUM),
                     "SHORTU.txt": spaced(SHORT)})
    release, _ = load_release(tmp_path / "LONGULT.txt", EFFECTIVE)
    assert [Path(s.name).name for s in release.sources] == ["LONGULT.txt", "MEDU.txt",
                                                            "SHORTU.txt"]
    assert release.sources[1].sha256 == hashlib.sha256(spaced(MEDIUM)).hexdigest()
    zipped = tmp_path / "z" / "CPT 2026 data files.zip"
    zipped.parent.mkdir()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("LONGULT.txt", longult())
        z.writestr("SHORTU.txt", spaced(SHORT))
    release, _ = load_release(zipped)
    assert release.extra["members"] == "LONGULT.txt, SHORTU.txt"
    assert [s.name for s in release.sources] == [str(zipped)]
