"""The parsed protocol file is cached per user; the cache must never change what is loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from mil62sched import protocol
from mil62sched.errors import ProtocolError

BUILTIN_TEXT = protocol.BUILTIN.read_text(encoding="utf-8")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("MIL62SCHED_CACHE_DIR", str(folder))
    return folder


def test_a_cached_load_equals_a_fresh_one(cache: Path) -> None:
    fresh = protocol.load()
    files = list(cache.glob("protocol-*.marshal"))
    assert len(files) == 1  # written by the first load
    assert protocol.load() == fresh  # read back from the cache


def test_a_changed_file_is_read_again(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "trial.toml"
    path.write_text(BUILTIN_TEXT, encoding="utf-8")
    assert protocol.load(path).id == "MIL62-CT303"
    path.write_text(BUILTIN_TEXT.replace('id = "MIL62-CT303"', 'id = "MIL62-CT303-B"'))
    assert protocol.load(path).id == "MIL62-CT303-B"  # a new size: a new cache key


def test_a_corrupt_cache_file_is_ignored_and_replaced(cache: Path) -> None:
    fresh = protocol.load()
    [file] = cache.glob("protocol-*.marshal")
    file.write_bytes(b"not marshal at all")
    assert protocol.load() == fresh
    assert file.read_bytes() != b"not marshal at all"


def test_no_usable_cache_folder_still_loads(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("MIL62SCHED_CACHE_DIR", str(blocker / "cache"))  # cannot be created
    assert protocol.load().id == "MIL62-CT303"


def test_a_broken_file_is_still_refused_with_a_cache(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("this is not = = toml", encoding="utf-8")
    with pytest.raises(ProtocolError, match="cannot read protocol"):
        protocol.load(path)
    assert not list(cache.glob("protocol-*.marshal"))
