"""The CDC order addenda reader on the shapes other years may have: action words spelt
and spaced differently, blank lines, a summary block worded differently, without a headers
block, with thousands separators, or at the top. Synthetic lines."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from tests_helpers import addenda_row, summary_block

from updater.errors import UpdaterError
from updater.files.sources import Source
from updater.releases.readers import load_release
from updater.releases.readers.icd10cm_order_addenda import READER, parse_addenda, parse_summary

SHORT, LONG = "Synth one", "Synthetic code one"


def fields(action: str) -> str:
    """An entry with another action word: the fields after the flag as the CDC lays them."""
    return action + addenda_row("Add:", "Q101", "1", SHORT, LONG)[13:]


@pytest.mark.parametrize("action", ["Add:", "ADD:", "Added:", "add :", "  Add:"])
def test_add_in_any_spelling(action):
    table = parse_addenda(fields(action), "a.txt").entries
    assert table[["action", "record", "code", "short", "long"]].values.tolist() == [
        ["add", "code", "Q101", SHORT, LONG]]


@pytest.mark.parametrize(("frm", "to"), [("Revise from:", "Revise to:"),
                                         ("Revise From :", "Revise To :"),
                                         ("Revised from:", "Revised to:"),
                                         ("REVISE FROM:", "REVISE TO:"),
                                         ("Revisefrom:", "Reviseto:")])
def test_revise_pairs_in_any_spelling(frm, to):
    text = "\r\n".join([fields(frm), "", fields(to).replace(LONG, LONG + ", new")])
    table = parse_addenda(text, "a.txt").entries
    assert table["action"].tolist() == ["revise_from", "revise_to"]
    assert table["long"].tolist() == [LONG, LONG + ", new"]
    assert table["line"].tolist() == [1, 3]


def test_fields_are_placed_from_the_flag_whatever_the_action_is_padded_to():
    tight = "Delete: 0 Q10     " + f"{'Synth cat':<60} Synthetic category"
    table = parse_addenda(tight, "a.txt").entries
    assert table[["action", "record", "code", "short", "long"]].values.tolist() == [
        ["delete", "header", "Q10", "Synth cat", "Synthetic category"]]


def test_summary_in_other_words_without_headers_and_with_separators():
    summary, files = parse_summary([
        "", "CODES:", "  1,234 codes in icd10cm_order_2030.txt",
        "  1,236 codes in icd10cm_order_2031.txt", "      3 additions", "      1 deletion",
        "      2 revision", "of which", "      1 revisions to both short and long titles",
        "      1 revision to the long title only", "      0 revisions to short titles only"])
    assert summary == {"codes": {"in_old": 1234, "in_new": 1236, "additions": 3,
                                 "deletions": 1, "revisions": 2, "revisions_both": 1,
                                 "revisions_long_only": 1, "revisions_short_only": 0}}
    assert files == {"old": "icd10cm_order_2030.txt", "new": "icd10cm_order_2031.txt"}


def test_counts_after_their_labels():
    summary, _ = parse_summary(["Headers", "Additions: 4", "Deletions = 0", "Revisions: 2"])
    assert summary == {"headers": {"additions": 4, "deletions": 0, "revisions": 2}}


def test_a_summary_at_the_top_and_blank_lines_anywhere():
    lines = [*summary_block("icd10cm_order_2030.txt", "icd10cm_order_2031.txt",
                            (1, 1, 0, 0, 0, 0, 0, 0), (1, 2, 1, 0, 0, 0, 0, 0)),
             "", "", addenda_row("Add:", "Q101", "1", SHORT, LONG), ""]
    changes = parse_addenda("\r\n".join(lines), "a.txt")
    assert changes.entries["code"].tolist() == ["Q101"]
    assert changes.summary["codes"] == {"in_old": 1, "in_new": 2, "additions": 1,
                                        "deletions": 0, "revisions": 0, "revisions_both": 0,
                                        "revisions_long_only": 0, "revisions_short_only": 0}


def test_a_bad_flag_names_its_line():
    text = "\r\n".join([addenda_row("Add:", "Q101", "1", SHORT, LONG),
                        addenda_row("Add:", "Q102", "X", SHORT, LONG)])
    with pytest.raises(UpdaterError) as err:
        parse_addenda(text, "a.txt")
    assert str(err.value) == ("a.txt, line 2: the flag after the action must be 1 (billable "
                              "code) or 0 (header)")


def test_a_line_cut_short_names_its_line():
    with pytest.raises(UpdaterError) as err:
        parse_addenda("Add:         1 Q101    Synth one", "a.txt")
    assert str(err.value).startswith("a.txt, line 1: addenda line cut short")


def test_the_codes_addenda_beside_it_is_not_an_order_addenda(tmp_path: Path):
    """The codes addenda has action lines without a flag, or only a codes count; a zip
    holding both is read with the order addenda's list."""
    codes_addenda = tmp_path / "icd10cm-codes-addenda-2031.txt"
    codes_addenda.write_text("Add:         Q101    Synthetic code one\r\n\r\n  1 codes in "
                             "icd10cm_order_2030.txt\r\n  2 codes in icd10cm_order_2031.txt\r\n"
                             "  1 additions\r\n")
    assert not READER.sniff(Source(codes_addenda))
    summary_only = tmp_path / "icd10cm-codes-addenda-2032.txt"
    summary_only.write_text("\r\nCodes\r\n  2 codes in icd10cm_order_2031.txt\r\n  2 codes in "
                            "icd10cm_order_2032.txt\r\n  0 additions\r\n")
    assert not READER.sniff(Source(summary_only))
    order_addenda = tmp_path / "icd10cm-order-addenda-2032.txt"
    order_addenda.write_text("\r\n".join(summary_block(
        "icd10cm_order_2031.txt", "icd10cm_order_2032.txt", (1, 1, 0, 0, 0, 0, 0, 0),
        (2, 2, 0, 0, 0, 0, 0, 0))))
    assert READER.sniff(Source(order_addenda))
    from tests_helpers import order_row

    zipped = tmp_path / "icd10cm-2032.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        z.write(summary_only, summary_only.name)  # first in the zip
        z.write(order_addenda, order_addenda.name)
        z.writestr("icd10cm-order-2032.txt", "\r\n".join([
            order_row(1, "Q10", "0", "Synth cat", "Synthetic category"),
            order_row(2, "Q100", "1", "Synth zero", "Synthetic code zero"),
            order_row(3, "Q101", "1", SHORT, LONG)]) + "\r\n")
    release = load_release(zipped)[0]
    assert release.publisher_changes is not None
    assert set(release.publisher_changes.summary) == {"headers", "codes"}
    assert release.publisher_changes.files == {"old": "icd10cm_order_2031.txt",
                                               "new": "icd10cm_order_2032.txt"}
