"""The Linux desktop entry, the AppStream metainfo, the icon, the spec and pyproject.toml
name the same program, id and version, so that none of them drifts when another changes.
(Their formats are validated by desktop-file-validate and appstreamcli in the bundle's
smoke step, packaging/smoke_bundle.sh.)"""

from __future__ import annotations

import configparser
import re
import tomllib
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

from app import __version__

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
DESKTOP_ENTRY = LINUX / "se.bifoga.Bifoga.desktop"
METAINFO = LINUX / "se.bifoga.Bifoga.metainfo.xml"


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP_ENTRY, encoding="utf-8")
    return parser["Desktop Entry"]


def _metainfo() -> ElementTree.Element:
    return ElementTree.parse(METAINFO).getroot()


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_metainfo_id_launches_this_desktop_entry() -> None:
    metainfo = _metainfo()
    component_id = metainfo.findtext("id")

    assert DESKTOP_ENTRY.name == f"{component_id}.desktop"
    assert metainfo.findtext("launchable[@type='desktop-id']") == DESKTOP_ENTRY.name
    assert METAINFO.name == f"{component_id}.metainfo.xml"


def test_the_icon_named_by_the_desktop_entry_is_shipped_as_svg() -> None:
    icon = LINUX / f"{_desktop_entry()['Icon']}.svg"

    assert ElementTree.parse(icon).getroot().tag == "{http://www.w3.org/2000/svg}svg"


def test_desktop_entry_metainfo_spec_and_console_script_name_one_program() -> None:
    spec = (ROOT / "packaging" / "bifoga.spec").read_text(encoding="utf-8")
    spec_executables = re.findall(r'EXE\([^)]*\bname="([^"]+)"', spec)
    console_scripts = set(_pyproject()["project"]["scripts"])

    program = _desktop_entry()["Exec"].split()[0]

    assert program == _desktop_entry()["TryExec"]
    assert program in console_scripts
    assert program == spec_executables[0]
    assert _metainfo().findtext("provides/binary") == program


def test_the_newest_release_in_the_metainfo_is_the_package_version() -> None:
    releases = _metainfo().findall("releases/release")

    assert releases, "the metainfo lists no release"
    assert releases[0].get("version") == __version__
