"""updater.toml: defaults, relative paths, and mistakes reported with file, line and hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from updater.cycle.config import (
    ChargemasterConfig,
    Config,
    CrosswalkConfig,
    default_config_text,
    load_config,
    write_default_config,
)
from updater.errors import UpdaterError
from updater.vocabulary import CodeSystem


def write(folder: Path, text: str, name: str = "updater.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(UpdaterError) as caught:
        load_config(path)
    return str(caught.value)


# ------------------------------------------------------------------ defaults and paths


def test_no_file_gives_the_defaults(tmp_path: Path) -> None:
    assert load_config(cwd=tmp_path) == Config(path=None, store=tmp_path / "releases",
                                               inbox=tmp_path / "inbox",
                                               output=tmp_path / "updater-out")
    default = Config(path=None)
    assert (default.store, default.inbox, default.output, default.systems) == (
        Path("releases"), Path("inbox"), Path("updater-out"),
        (CodeSystem.ICD10CM, CodeSystem.HCPCS, CodeSystem.CPT))


def test_the_file_in_the_working_folder_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, 'store = "codes/store"\nsign_off = ["CDM coordinator"]\n')
    config = load_config(cwd=tmp_path)
    assert (config.path, config.store, config.sign_off) == (
        path, tmp_path / "codes" / "store", ("CDM coordinator",))


def test_everything_a_config_can_say(tmp_path: Path) -> None:
    for name in ("cdm.xlsx", "cdm2.csv", "xw.csv", "conv.xlsx", "seealso.csv"):
        (tmp_path / name).write_text("x")
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "meditech.toml").write_text("")
    path = write(tmp_path, '''
store = "/srv/updater/releases"
inbox = "downloads"
output = "out"
systems = ["cpt", "hcpcs"]
training = ["orthopedics", "M00-M99,S00-T88"]
sign_off = ["Jane Doe, CDM coordinator", "Compliance officer"]
conversion = ["conv.xlsx"]
maps = ["seealso.csv"]

[[chargemaster]]
name = "Main campus"
path = "cdm.xlsx"
profile = "profiles/meditech.toml"
sheet = "CDM"

[[chargemaster]]
path = "cdm2.csv"

[[crosswalk]]
name = "Ortho"
path = "xw.csv"
sheet = "Pairs"
''')
    assert load_config(path) == Config(
        path=path, store=Path("/srv/updater/releases"), inbox=tmp_path / "downloads",
        output=tmp_path / "out", systems=(CodeSystem.CPT, CodeSystem.HCPCS),
        chargemasters=(ChargemasterConfig(tmp_path / "cdm.xlsx",
                                          tmp_path / "profiles" / "meditech.toml", "CDM",
                                          "Main campus"),
                       ChargemasterConfig(tmp_path / "cdm2.csv")),
        crosswalks=(CrosswalkConfig(tmp_path / "xw.csv", "Pairs", "Ortho"),),
        training=("orthopedics", "M00-M99,S00-T88"),
        sign_off=("Jane Doe, CDM coordinator", "Compliance officer"),
        conversion=(tmp_path / "conv.xlsx",), maps=(tmp_path / "seealso.csv",))


def test_relative_paths_are_read_from_the_config_folder_not_the_working_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "cdm.csv").write_text("x")
    write(site, '[[chargemaster]]\npath = "cdm.csv"\n')
    monkeypatch.chdir(tmp_path)
    config = load_config(Path("site/updater.toml"))
    assert config.chargemasters[0].path == site / "cdm.csv"
    assert config.store == site / "releases"


def test_the_commented_default_loads_and_says_the_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, default_config_text())
    config = load_config(path)
    assert config == Config(path=path, store=tmp_path / "releases", inbox=tmp_path / "inbox",
                            output=tmp_path / "updater-out")
    text = default_config_text()
    for key in ("store", "inbox", "output", "systems", "sign_off", "training", "conversion",
                "maps", "[[chargemaster]]", "profile", "[[crosswalk]]"):
        assert key in text


def test_a_key_given_twice(tmp_path: Path) -> None:
    path = write(tmp_path, 'store = "a"\nstore = "b"\n')
    assert error_of(path) == (
        f"{path}, line 2: not valid TOML: cannot overwrite a value at column 12; give each key "
        "once (a second chargemaster is a second [[chargemaster]] block); see 'updater init' "
        "for a commented example")


def test_the_commented_examples_load_once_uncommented(tmp_path: Path) -> None:
    for name in ("cdm-export.xlsx", "ortho-crosswalk.csv", "ICD-10-CM-Conversion-Table.xlsx",
                 "cpt-to-report-see.csv"):
        (tmp_path / name).write_text("x")
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "cdm-export.toml").write_text("")
    lines = [line[2:] if line.startswith("# ") and ("=" in line or line.startswith("# [["))
             else line for line in default_config_text().splitlines()]
    config = load_config(write(tmp_path, "\n".join(lines)))
    assert [c.name for c in config.chargemasters] == ["Main campus"]
    assert config.chargemasters[0].profile == tmp_path / "profiles" / "cdm-export.toml"
    assert [c.path for c in config.crosswalks] == [tmp_path / "ortho-crosswalk.csv"]
    assert config.sign_off == ("CDM coordinator", "Compliance officer")
    assert (config.training, config.maps) == (("M00-M99,S00-T88",),
                                              (tmp_path / "cpt-to-report-see.csv",))


def test_write_default_config_refuses_to_overwrite(tmp_path: Path) -> None:
    config = write_default_config(tmp_path / "new")
    assert config.path == tmp_path / "new" / "updater.toml"
    assert (tmp_path / "new" / "inbox").is_dir()
    config.path.write_text('store = "mine"\n')
    with pytest.raises(UpdaterError) as caught:
        write_default_config(tmp_path / "new")
    assert str(caught.value) == (f"{config.path}: the configuration already exists; edit it, "
                                 "or give --force to write a fresh one over it")
    assert config.path.read_text() == 'store = "mine"\n'
    write_default_config(tmp_path / "new", force=True)
    assert config.path.read_text() == default_config_text()


# ------------------------------------------------------------------ mistakes, exact text


def test_a_given_file_that_is_missing(tmp_path: Path) -> None:
    assert error_of(tmp_path / "nope.toml") == (
        f"{tmp_path / 'nope.toml'}: the configuration file does not exist; write one with "
        "'updater init', or give the right --config")
    assert error_of(tmp_path) == (f"{tmp_path}: the configuration is a folder, not a file; "
                                  f"give the file, e.g. {tmp_path / 'updater.toml'}")


def test_not_toml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'inbox = "inbox"\nstore = releases\n')
    assert error_of(path) == (
        f"{path}, line 2: not valid TOML: invalid value at column 9; text values need quotes, "
        "e.g. store = \"releases\"; see 'updater init' for a commented example")


def test_unknown_key_suggests_the_closest(tmp_path: Path) -> None:
    path = write(tmp_path, '# a comment\noutput = "out"\nsignoff = ["me"]\n')
    assert error_of(path) == (
        f"{path}, line 3: unknown key 'signoff'; did you mean 'sign_off'? valid keys: store, "
        "inbox, output, systems, chargemaster, crosswalk, training, sign_off, conversion, maps")


def test_unknown_table_name_suggests_the_closest(tmp_path: Path) -> None:
    path = write(tmp_path, 'store = "s"\n\n[[chargemasters]]\npath = "x.csv"\n')
    assert error_of(path).startswith(
        f"{path}, line 3: unknown key 'chargemasters'; did you mean 'chargemaster'?")


def test_unknown_key_inside_a_chargemaster(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("x")
    path = write(tmp_path, '[[chargemaster]]\npath = "a.csv"\n\n[[chargemaster]]\n'
                           'path = "a.csv"\nprofil = "p.toml"\n')
    assert error_of(path) == (
        f"{path}, line 6: unknown key 'profil' in [[chargemaster]]; did you mean 'profile'? "
        "valid keys: path, profile, sheet, name")


def test_a_chargemaster_that_does_not_exist(tmp_path: Path) -> None:
    path = write(tmp_path, 'store = "s"\n\n[[chargemaster]]\nname = "Main"\n'
                           'path = "exports/cdm.xlsx"\n')
    assert error_of(path) == (
        f"{path}, line 5: the chargemaster 'exports/cdm.xlsx' does not exist; relative paths "
        f"are read from {tmp_path}; fix the path or remove the entry")


def test_a_profile_or_crosswalk_that_does_not_exist(tmp_path: Path) -> None:
    (tmp_path / "cdm.csv").write_text("x")
    path = write(tmp_path, '[[chargemaster]]\npath = "cdm.csv"\nprofile = "p.toml"\n')
    assert error_of(path).startswith(f"{path}, line 3: the profile 'p.toml' does not exist;")
    path = write(tmp_path, '[[crosswalk]]\npath = "xw.csv"\n')
    assert error_of(path).startswith(f"{path}, line 2: the crosswalk 'xw.csv' does not exist;")
    path = write(tmp_path, 'maps = ["m.csv"]\n')
    assert error_of(path).startswith(f"{path}, line 1: the map 'm.csv' does not exist;")


def test_a_chargemaster_without_a_path(tmp_path: Path) -> None:
    path = write(tmp_path, 'store = "s"\n[[chargemaster]]\nname = "Main"\n')
    assert error_of(path) == (f"{path}, line 2: a [[chargemaster]] entry has no path; add "
                              "path = \"...\" (the chargemaster export) below it")


def test_wrong_types(tmp_path: Path) -> None:
    path = write(tmp_path, 'training = "M00-M99"\n')
    assert error_of(path) == (f"{path}, line 1: training must be a list of text, not text; "
                              "e.g. training = [\"M00-M99,S00-T88\"]")
    path = write(tmp_path, 'inbox = "in"\nsign_off = ["Jane", 3]\n')
    assert error_of(path) == (f"{path}, line 2: sign_off must be a list of text (each in "
                              "quotes), not a number; e.g. sign_off = [\"Compliance officer\"]")
    path = write(tmp_path, 'store = 5\n')
    assert error_of(path) == (f"{path}, line 1: store must be text, not a number; "
                              "e.g. store = \"...\"")
    path = write(tmp_path, 'chargemaster = "cdm.csv"\n')
    assert error_of(path) == (
        f"{path}, line 1: chargemaster must be a [[chargemaster]] table with path = \"...\", "
        "not text; write it as [[chargemaster]] on a line of its own, then path = \"...\" "
        "below it")
    (tmp_path / "cdm.csv").write_text("x")
    path = write(tmp_path, '[[chargemaster]]\npath = "cdm.csv"\nsheet = 1\n')
    assert error_of(path) == (f"{path}, line 3: sheet in [[chargemaster]] must be text, not a "
                              "number; e.g. sheet = \"...\"")


def test_unknown_or_empty_systems(tmp_path: Path) -> None:
    path = write(tmp_path, 'systems = ["icd10cm", "hcpc"]\n')
    assert error_of(path) == (f"{path}, line 1: unknown code system 'hcpc' in systems; did you "
                              "mean 'hcpcs'? use icd10cm, hcpcs, cpt")
    path = write(tmp_path, 'systems = []\n')
    assert error_of(path) == (f"{path}, line 1: systems is empty; name at least one of "
                              "icd10cm, hcpcs, cpt")
    path = write(tmp_path, 'systems = ["CPT", "cpt"]\n')
    assert load_config(path).systems == (CodeSystem.CPT,)


def test_two_chargemasters_with_one_name(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("x")
    path = write(tmp_path, '[[chargemaster]]\nname = "Main"\npath = "a.csv"\n'
                           '[[chargemaster]]\nname = "Main"\npath = "a.csv"\n')
    assert error_of(path) == (f"{path}, line 2: two [[chargemaster]] entries are named 'Main'; "
                              "give each a name of its own; reports tell them apart by name")
