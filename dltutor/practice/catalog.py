"""Where problem families come from: the shipped ``problems/`` folder and teachers' own folders.

A teacher adds families without touching the installed package: every ``*.toml``
file in the folders named by the environment variable ``DLTUTOR_PROBLEMS``
(several, separated by ``os.pathsep``: ``:`` on Linux and macOS, ``;`` on
Windows) is loaded beside the built-in ones. A file that cannot be used (not
valid TOML, a field missing, a range too large to draw from, an id already
taken) is left out and reported by its path (``family_errors``), never
stopping the other families from loading.

    load_families()              # id -> Family: built-in, then the teachers' folders in order
    family_errors()              # ["/path/x.toml: problem family x.toml: kind ...", ...]
    load_folder(path)            # one folder: (families, errors), for ``dltutor families check``
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dltutor.errors import InputError
from dltutor.practice.ranges import check_range
from dltutor.practice.spec import DIFFICULTIES, Family, load_family, problems_dir

ENV = "DLTUTOR_PROBLEMS"
MAX_FILE_BYTES = 256 * 1024      # one family file
MAX_FILES = 1000                 # family files in one folder


@dataclass(frozen=True)
class FamilyFileError:
    path: str
    message: str

    def __str__(self) -> str:
        return self.message if self.path in self.message else f"{self.path}: {self.message}"


def teacher_folders() -> list[Path]:
    """The folders named by ``DLTUTOR_PROBLEMS``, in order (empty entries ignored)."""
    text = os.environ.get(ENV, "")
    return [Path(p).expanduser() for p in text.split(os.pathsep) if p.strip()]


def read_family(path: Path) -> Family:
    """One family file, read and checked, with its ranges checked against the draw limits.
    Only a regular file of at most MAX_FILE_BYTES is opened (a FIFO is never opened)."""
    try:
        info = path.stat()
    except OSError as exc:
        raise InputError(f"problem family {path.name}: cannot be read ({exc.strerror or type(exc).__name__})") \
            from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"problem family {path.name}: not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise InputError(f"problem family {path.name}: {info.st_size:,} bytes; a family file holds at most "
                         f"{MAX_FILE_BYTES // 1024} KiB")
    try:
        family = load_family(path)
    except (RecursionError, MemoryError, UnicodeDecodeError) as exc:
        raise InputError(f"problem family {path.name}: cannot be read ({type(exc).__name__})") from None
    for difficulty in DIFFICULTIES:
        for name, spec in family.params[difficulty].items():
            check_range(spec, f"problem family {path.name}: {difficulty}.{name}")
    return family


def load_folder(folder: Path, taken: dict[str, Family] | None = None) -> tuple[dict[str, Family],
                                                                                 list[FamilyFileError]]:
    """The usable families of one folder (by id, sorted by file name) and the files left out."""
    families: dict[str, Family] = {}
    errors: list[FamilyFileError] = []
    if not folder.is_dir():
        return families, [FamilyFileError(str(folder), f"{folder}: not a folder ({ENV} names folders of "
                                                       "*.toml family files)")]
    try:
        paths = sorted(folder.glob("*.toml"))
    except OSError as exc:
        return families, [FamilyFileError(str(folder), f"{folder}: cannot be listed ({exc.strerror})")]
    if len(paths) > MAX_FILES:
        errors.append(FamilyFileError(str(folder), f"{folder}: {len(paths):,} family files; only the first "
                                                   f"{MAX_FILES:,} are read"))
        paths = paths[:MAX_FILES]
    for path in paths:
        try:
            family = read_family(path)
        except InputError as exc:
            errors.append(FamilyFileError(str(path), f"{path}: {exc}"))
            continue
        earlier = (taken or {}).get(family.id) or families.get(family.id)
        if earlier is not None:
            errors.append(FamilyFileError(str(path), f"{path}: the id {family.id!r} is already used by "
                                                     f"{earlier.path}; rename the file and its id"))
            continue
        families[family.id] = family
    return families, errors


@lru_cache(maxsize=8)
def _catalog(directory: str | None, env: str) -> tuple[dict[str, Family], tuple[FamilyFileError, ...]]:
    if directory is not None:
        families, errors = load_folder(Path(directory))
        return families, tuple(errors)
    families, errors = load_folder(problems_dir())
    for folder in teacher_folders():
        more, bad = load_folder(folder, taken=families)
        families.update(more)
        errors.extend(bad)
    return families, tuple(errors)


def load_families(directory: str | None = None) -> dict[str, Family]:
    """Every usable family by id: ``directory`` only, or the built-in ones and then those of the
    ``DLTUTOR_PROBLEMS`` folders. Files that cannot be used are left out (see ``family_errors``)."""
    return _catalog(directory, os.environ.get(ENV, ""))[0]


def family_errors(directory: str | None = None) -> list[FamilyFileError]:
    """The family files left out by ``load_families``, each with its path and what is wrong."""
    return list(_catalog(directory, os.environ.get(ENV, ""))[1])


def get_family(name: str) -> Family:
    """The family ``name``; a family left out is reported with its file's fault."""
    families = load_families()
    if name in families:
        return families[name]
    for error in family_errors():
        if Path(error.path).stem == name:
            raise InputError(str(error))
    raise InputError(f"unknown problem family {name!r}; see 'dltutor generate --list'")
