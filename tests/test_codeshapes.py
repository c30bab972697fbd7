"""One code-shape pre-filter, used everywhere: it turns away obvious garbage only, and every
code of every release passes, FY2026's QA0 block included; whether a value is a code is
the release's to say."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from conftest import make_release
from openpyxl import Workbook

from updater import codeshapes
from updater.codeshapes import has_shape, is_icd10cm, procedure_system
from updater.vocabulary import CodeSystem

ICD, HCPCS, CPT = CodeSystem.ICD10CM, CodeSystem.HCPCS, CodeSystem.CPT


@pytest.mark.parametrize("code", ["QA0", "QA00101", "U071", "U099", "U09", "M1711", "A00",
                                  "S72001A", "T7840XA", "F32A", "C4A0", "W44A0XA"])
def test_every_icd10cm_shape_ever_shipped_passes(code: str) -> None:
    assert has_shape(code, ICD)


@pytest.mark.parametrize("code", ["25000", "", "M1", "M17111111", "1ABC", "M17.11"])
def test_icd10cm_garbage_is_turned_away(code: str) -> None:
    assert not has_shape(code, ICD)


def test_procedure_codes_by_shape() -> None:
    codes = pd.Series(["99214", "0001U", "1234F", "0042T", "J1100", "W1234", "Z9999", "9921",
                       "ABCDE", "J10", "99213-25", "1234X", ""], dtype="str")
    assert procedure_system(codes).tolist() == [
        "cpt", "cpt", "cpt", "cpt", "hcpcs", "hcpcs", "hcpcs", "", "", "", "", "", ""]
    assert is_icd10cm(pd.Series(["QA00101", "U071", "25000"], dtype="str")).tolist() == [
        True, True, False]


def test_one_definition_everywhere() -> None:
    """The readers, the crosswalk, apply and the training report's ranges use these."""
    from updater.impact.inputs import crosswalk
    from updater.patch import steps
    from updater.releases.readers import generic_table
    from updater.reports import training

    assert codeshapes.SHAPES[ICD] == crosswalk.ICD_SHAPE
    assert generic_table.CODE_SHAPES[ICD][0] == codeshapes.SHAPES[ICD]
    assert steps._SHAPES[CPT] is codeshapes.COMPILED[CPT]
    assert training.BOUND_SHAPES[ICD].fullmatch("QA0")
    assert not training.BOUND_SHAPES[ICD].fullmatch("KNEE")  # a word typed as a range


def test_codes_in_free_text() -> None:
    from updater.impact.candidates.conversion import split_previous

    assert split_previous("QA0.0101 and U07.1; Codes in Categories T15-T19, None") == [
        ("QA00101", ""), ("U071", ""), ("T15", "T19")]
    assert split_previous("I63.- and R11-") == [("I63", "I63"), ("R11", "R11")]


# --------------------------------------------------------------------------- a QA0 year

def conversion_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["ICD-10-CM Conversion Table (synthetic)"])
    ws.append(["Current code assignment", "Effective", "Previous Code(s) Assignment"])
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def test_a_conversion_table_row_that_cannot_be_read_is_skipped_and_named(tmp_path: Path
                                                                         ) -> None:
    """FY2026's table holds QA0 codes (read), and a hand-typed row can be garbage: it is
    reported with its row and left out; it never stops the reading."""
    from updater.impact.candidates import SkippedRow, read_conversion_table

    path = conversion_xlsx(tmp_path / "ICD-10-CM-Conversion-Table-FY2026.xlsx", [
        ["QA0.0101", 2025, "Z99.89"], ["U07.1", datetime(2020, 4, 1), "U07.0"],
        ["?? see note", 2025, "A00.0"], ["B99.9", "soon", "B99"], ["E11.650", 2025, "E11.65"]])
    skipped: list[SkippedRow] = []
    table = read_conversion_table(path, skipped=skipped)
    assert list(zip(table["current"], table["previous"], table["row"], strict=True)) == [
        ("QA00101", "Z9989", 3), ("U071", "U070", 4), ("E11650", "E1165", 7)]
    assert [str(s) for s in skipped] == [
        f"{path.name} row 5: '?? see note' is not the shape of an ICD-10-CM code; the row "
        "was skipped",
        f"{path.name} row 6: effective 'soon' is neither a year nor a date; the row was "
        "skipped"]


def qa0_releases() -> tuple:
    old = make_release([("U07", "header", "Emergency use", "Emergency use of U07"),
                        ("U071", "code", "COVID-19", "COVID-19"),
                        ("U09", "header", "Post COVID", "Post COVID-19 condition"),
                        ("U099", "code", "Post COVID-19 condition", "Post COVID, unspecified"),
                        ("Z9989", "code", "Oth dependence", "Dependence on other machines"),
                        ("E1165", "code", "Type 2 DM w hyperglycemia",
                         "Type 2 diabetes mellitus with hyperglycemia")],
                       version="FY2025", effective=date(2024, 10, 1))
    new = make_release([("QA0", "header", "Synthetic block", "Synthetic QA0 block"),
                        ("QA00", "header", "Synthetic QA00", "Synthetic QA00 subcategory"),
                        ("QA00101", "code", "Synthetic QA0 code", "Synthetic QA0 code one"),
                        ("U07", "header", "Emergency use", "Emergency use of U07"),
                        ("U071", "code", "COVID-19", "COVID-19"),
                        ("U09", "header", "Post COVID", "Post COVID-19 condition"),
                        ("U099", "code", "Post COVID-19 condition", "Post COVID, unspecified"),
                        ("Z9989", "code", "Oth dependence", "Dependence on other machines"),
                        ("E1165", "header", "Type 2 DM w hyperglycemia",
                         "Type 2 diabetes mellitus with hyperglycemia"),
                        ("E11650", "code", "T2DM w hyperglycemia, fasting",
                         "Type 2 diabetes mellitus with hyperglycemia, fasting")],
                       version="FY2026", effective=date(2025, 10, 1))
    return old, new


def test_qa0_codes_in_a_crosswalk_and_a_chargemaster_are_codes(tmp_path: Path) -> None:
    """U07.1, U09.9 and QA0.0101 are codes the release has: no finding, never malformed;
    a QA0 range in a list cell expands; a conversion table beside the release with an
    unreadable row does not stop the scan, which names the row."""
    from updater.impact.candidates import SkippedRow, build_candidates, read_conversion_table
    from updater.impact.change_sets import ChangeSet
    from updater.impact.findings import scan
    from updater.impact.inputs.chargemaster import read_chargemaster
    from updater.impact.inputs.crosswalk import read_crosswalk
    from updater.releases.diff import diff_releases

    old, new = qa0_releases()
    xw_path = tmp_path / "crosswalk.csv"
    xw_path.write_text("CPT,ICD-10-CM\n99214,\"U07.1, U09.9\"\n99215,QA0.0101\n"
                       "99213,QA0.0-QA0.9\n99212,QA0.O101\n", encoding="utf-8")
    xw = read_crosswalk(xw_path, expand_with=new.table)
    assert list(xw.table["diagnosis"]) == ["U071", "U099", "QA00101", "QA00101", "QA0O101"]
    cdm_path = tmp_path / "cdm.csv"
    cdm_path.write_text("Charge Code,Description,CPT,Price\n1,SYNTH: VISIT,99214,100\n"
                        "2,SYNTH: VISIT,9921,100\n", encoding="utf-8")
    table = conversion_xlsx(tmp_path / "conversion.xlsx", [
        ["QA0.0101", 2025, "Z99.89"], ["E11.650", 2025, "E11.65"], ["QA0.01X", "?", ""]])
    skipped: list[SkippedRow] = []
    conversion = read_conversion_table(table, skipped=skipped)
    cands = build_candidates([old, new], conversion_tables=[conversion])
    cs = ChangeSet(new.system, old, new, diff_releases(old, new), cands,
                   notes=[str(s) for s in skipped])
    result = scan([cs], crosswalk=xw, chargemaster=read_chargemaster(cdm_path))
    f = result.findings
    xw_f = f[f["source"] == "crosswalk"]
    assert list(zip(xw_f["row"], xw_f["code"], xw_f["kind"], strict=True)) == [
        (4, "QA0O101", "not_in_release")]  # the shape of a code, not in the release: a typo
    assert xw_f.iloc[0]["detail"].endswith("; did you mean QA0.0101?")
    malformed = f[f["kind"] == "malformed"]
    assert list(zip(malformed["source"], malformed["code"], strict=True)) == [
        ("chargemaster", "9921")]
    assert result.summary["notes"] == [
        "conversion.xlsx row 5: effective '?' is neither a year nor a date; the row was "
        "skipped"]
    # the conversion table's rows for the FY2026 update are the candidates' source
    e1165 = cands[cands["old_code"] == "E1165"]
    assert "CDC conversion table FY2026" in set(e1165["source"])


def test_a_qa0_release_read_from_a_table(tmp_path: Path) -> None:
    """A generic code table (CSV) of ICD-10-CM codes reads every shape the CDC uses."""
    from updater.releases.readers import ReadOptions, load_release

    path = tmp_path / "icd10cm-synthetic.csv"
    path.write_text("Code,Description\nQA0.0101,Synthetic QA0 code\nU07.1,COVID-19\n"
                    "M17.11,\"Unilateral primary osteoarthritis, right knee\"\n",
                    encoding="utf-8")
    release = load_release(path, ReadOptions(system=ICD, version="FY2026",
                                             effective=date(2025, 10, 1)))[0]
    assert list(release.table["code"]) == ["QA00101", "U071", "M1711"]


def test_every_code_of_every_real_release_passes(shared_data: Path) -> None:
    """The pre-filter must never turn away a publisher's code: every ICD-10-CM code and
    header, every HCPCS procedure code, of every release in ../shared/data."""
    from updater.releases.readers import load_release

    files = sorted((shared_data / "icd10cm").rglob("*.zip")) + sorted(
        p for p in (shared_data / "hcpcs").rglob("*")
        if p.suffix == ".zip" and "Layout" not in p.name)
    checked = 0
    for path in files:
        release = load_release(path)[0]
        table = release.table
        codes = table.loc[table["record"] != "modifier", "code"].astype("str")
        shaped = codeshapes.matches(codes, release.system)
        assert shaped.all(), (path.name, codes[~shaped].head().tolist())
        checked += len(codes)
    assert checked > 400_000


def test_a_qa0_block_in_a_cdc_order_file(tmp_path: Path) -> None:
    """FY2026's new block as the CDC writes it (order file layout): read, and a change set
    against the year before sees the new codes as added, not as garbage."""
    from updater.releases.diff import diff_releases
    from updater.releases.readers import load_release

    def order(rows: list[tuple[str, int, str]]) -> bytes:
        return "".join(f"{i:05d} {code:<7} {flag} {title:<60} {title}\r\n"
                       for i, (code, flag, title) in enumerate(rows, 1)).encode("ascii")

    base = [("U07", 0, "Emergency use of U07"), ("U071", 1, "COVID-19"),
            ("U09", 0, "Post COVID-19 condition"), ("U099", 1, "Post COVID-19 condition, unsp")]
    qa0 = [("QA0", 0, "Synthetic new block"), ("QA00", 0, "Synthetic new subcategory"),
           ("QA001", 0, "Synthetic new subcategory, first"),
           ("QA0010", 0, "Synthetic new subcategory, first, kind"),
           ("QA00101", 1, "Synthetic new code")]
    old_path = tmp_path / "FY2025" / "icd10cm-order-2025.txt"
    new_path = tmp_path / "FY2026" / "icd10cm-order-2026.txt"
    for path, rows in ((old_path, base), (new_path, [*qa0, *base])):
        path.parent.mkdir()
        path.write_bytes(order(rows))
    old, new = load_release(old_path)[0], load_release(new_path)[0]
    assert (new.version, new.table.loc[new.table["code"] == "QA00101", "record"].item()) == (
        "FY2026", "code")
    changes = diff_releases(old, new).changes
    assert set(changes.loc[changes["kind"] == "added", "code"]) == {
        "QA0", "QA00", "QA001", "QA0010", "QA00101"}
