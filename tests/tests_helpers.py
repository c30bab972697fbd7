"""Small CDC-style files written in tests (synthetic codes and titles)."""

from __future__ import annotations

import zipfile
from pathlib import Path


def order_line(n: int, code: str, flag: str, title: str) -> str:
    return f"{n:05d} {code:<7} {flag} {title[:60]:<60} {title}"


def addenda_line(action: str, code: str, flag: str, title: str) -> str:
    return f"{action:<13}{flag} {code:<7} {title[:60]:<60} {title}"


def write_release_pair(folder: Path, *, tamper_addenda: bool) -> tuple[Path, Path]:
    """FY2030 and FY2031 zips as the CDC ships them; FY2031 adds one code, with addenda."""
    folder.mkdir(parents=True, exist_ok=True)
    base = [("Q10", "0", "Synthetic category"), ("Q100", "1", "Synthetic code zero"),
            ("Q101", "1", "Synthetic code one")]
    newer = [*base, ("Q102", "1", "Synthetic code two")]
    added = "Q103" if tamper_addenda else "Q102"  # a list that disagrees with the release
    addenda = [addenda_line("Add:", added, "1", "Synthetic code two"), "",
               "Codes", "      2 codes in icd10cm_order_2030.txt",
               "      3 codes in icd10cm_order_2031.txt", "      1 additions"]
    paths = []
    for year, rows, extra in ((2030, base, None), (2031, newer, addenda)):
        path = folder / f"icd10cm-Code-Descriptions-{year}.zip"
        with zipfile.ZipFile(path, "w") as z:
            z.writestr(f"icd10cm-order-{year}.txt", "\r\n".join(
                order_line(i, c, f, t) for i, (c, f, t) in enumerate(rows, 1)) + "\r\n")
            if extra:
                z.writestr(f"icd10cm-order-addenda-{year}.txt", "\r\n".join(extra) + "\r\n")
        paths.append(path)
    return paths[0], paths[1]


def write_workbook(tmp_path: Path, sheets: dict[str, list[list[object]]], name: str) -> Path:
    """An xlsx with the given sheets and rows (the first sheet is the active one)."""
    from openpyxl import Workbook

    book = Workbook()
    first = True
    for title, rows in sheets.items():
        ws = book.active if first else book.create_sheet()
        assert ws is not None
        ws.title, first = title, False
        for row in rows:
            ws.append(row)
    path = tmp_path / name
    book.save(path)
    return path


# ICD-10-CM tabular XML of the real structure, with synthetic codes and titles.

def notes_xml(notes: dict[str, list[str]] | None) -> str:
    """Note elements (``excludes1`` ...), each holding its ``note`` children."""
    return "".join(f"<{kind}>" + "".join(f"<note>{t}</note>" for t in texts) + f"</{kind}>"
                   for kind, texts in (notes or {}).items())


def seven_xml(seven: dict[str, str] | None) -> str:
    if seven is None:
        return ""
    return ("<sevenChrDef>" + "".join(f'<extension char="{c}">{t}</extension>'
                                      for c, t in seven.items()) + "</sevenChrDef>")


def diag_xml(name: str, desc: str, *children: str, notes: dict[str, list[str]] | None = None,
             seven: dict[str, str] | None = None, placeholder: bool = False) -> str:
    """One ``diag``: its name (with the dot), title, notes, 7th characters, children."""
    attr = ' placeholder="true"' if placeholder else ""
    return (f"<diag{attr}>\n<name>{name}</name>\n<desc>{desc}</desc>\n{notes_xml(notes)}"
            f"{seven_xml(seven)}{''.join(children)}</diag>\n")


def section_xml(section_id: str, desc: str, *diags: str,
                notes: dict[str, list[str]] | None = None) -> str:
    return (f'<section id="{section_id}">\n<desc>{desc}</desc>\n{notes_xml(notes)}'
            f"{''.join(diags)}</section>\n")


def chapter_xml(name: str, desc: str, *sections: str,
                notes: dict[str, list[str]] | None = None, index: bool = True) -> str:
    """A chapter; with ``index`` its ``sectionIndex`` lists the sections as the CDC's does."""
    refs = ""
    if index:
        ids = [s.split('"')[1] for s in sections]
        refs = "<sectionIndex>" + "".join(
            f'<sectionRef first="{i.split("-")[0]}" last="{i.split("-")[-1]}" id="{i}">\n'
            f"   synthetic section\n</sectionRef>" for i in ids) + "</sectionIndex>\n"
    return (f"<chapter>\n<name>{name}</name>\n<desc>{desc}</desc>\n{notes_xml(notes)}{refs}"
            f"{''.join(sections)}</chapter>\n")


def tabular_xml(*chapters: str, version: str = "2030",
                declaration: str = '<?xml version="1.0" encoding="utf-8"?>\n') -> str:
    """The whole file: declaration, root, version, an introduction, the chapters."""
    return (f"{declaration}<ICD10CM.tabular>\n<version>{version}</version>\n"
            "<introduction><introSection type=\"title\"><title>Synthetic tabular</title>"
            "</introSection></introduction>\n" + "".join(chapters) + "</ICD10CM.tabular>\n")

def order_row(n: int, code: str, flag: str, short: str, long: str) -> str:
    """An order-file line with its own short and long titles."""
    return f"{n:05d} {code:<7} {flag} {short[:60]:<60} {long}"


def addenda_row(action: str, code: str, flag: str, short: str, long: str) -> str:
    return f"{action:<13}{flag} {code:<7} {short[:60]:<60} {long}"


def summary_block(old_file: str, new_file: str, headers: tuple[int, ...],
                  codes: tuple[int, ...]) -> list[str]:
    """The CDC's counts block: (in old, in new, additions, deletions, revisions, both, long
    only, short only) for headers and for codes."""
    out: list[str] = []
    for name, n in (("Headers", headers), ("Codes", codes)):
        word = name.lower()
        out += ["", name, f"{n[0]:>7} {word} in {old_file}", f"{n[1]:>7} {word} in {new_file}",
                f"{n[2]:>7} additions", f"{n[3]:>7} deletions", f"{n[4]:>7} revisions",
                "of which", f"{n[5]:>7} revisions to both long and short titles",
                f"{n[6]:>7} revisions to long title only",
                f"{n[7]:>7} revisions to short title only"]
    return out


def write_icd_zip(path: Path, order_name: str, rows: list[tuple[str, str, str, str]],
                  addenda: tuple[str, list[str]] | None = None) -> Path:
    """A CDC-style zip: the order file from (code, flag, short, long) rows, and an
    addenda (file name, lines) when given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(order_name, "\r\n".join(
            order_row(i, *row) for i, row in enumerate(rows, 1)) + "\r\n")
        if addenda:
            z.writestr(addenda[0], "\r\n".join(addenda[1]) + "\r\n")
    return path
