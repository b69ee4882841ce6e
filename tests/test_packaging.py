"""The six folders install as one `pantau` package: every package folder is listed, with its data."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
DATA_SUFFIXES = {".toml", ".sql", ".j2", ".html", ".css"}


def _installed_name(folder: Path) -> str:
    """The dotted name a repository folder installs as, by [tool.setuptools.package-dir]."""
    relative = folder.relative_to(ROOT)
    for name, mapped in CONFIG["package-dir"].items():
        if relative.parts[: len(Path(mapped).parts)] == Path(mapped).parts:
            rest = relative.parts[len(Path(mapped).parts) :]
            return ".".join((name, *rest))
    raise AssertionError(f"{relative} is in no package-dir mapping")


def _package_folders() -> set[Path]:
    found = set()
    for top in CONFIG["package-dir"].values():
        for path in (ROOT / top).rglob("*"):
            wanted = path.name == "__init__.py" or path.suffix in DATA_SUFFIXES
            if wanted and path.is_file() and "__pycache__" not in path.parts:
                found.add(path.parent)
    return found


def test_every_package_and_data_folder_is_installed():
    listed = set(CONFIG["packages"])
    names = {_installed_name(folder) for folder in _package_folders()}
    missing = sorted(names - listed)
    assert missing == []


def test_every_data_folder_has_its_files_in_package_data():
    data = CONFIG["package-data"]
    for folder in _package_folders():
        files = [p for p in folder.iterdir() if p.suffix in DATA_SUFFIXES]
        if files and not (folder / "__init__.py").exists():
            patterns = data.get(_installed_name(folder), [])
            for file in files:
                assert any(file.match(pattern) for pattern in patterns), f"{file} is not in package-data"


def test_nothing_but_pantau_is_a_top_level_name():
    assert {name.split(".")[0] for name in CONFIG["packages"]} == {"pantau"}
