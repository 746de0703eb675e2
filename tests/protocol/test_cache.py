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


def test_an_edit_that_keeps_size_and_time_stamp_is_not_served_stale(
    cache: Path, tmp_path: Path
) -> None:
    """Entries are keyed by the file's bytes: W25D1 -> W26D1 with the same size and mtime."""
    import os

    path = tmp_path / "trial.toml"
    path.write_text(BUILTIN_TEXT, encoding="utf-8")
    before = path.stat()
    rcp = protocol.load(path).schedules["phase3-rcp"]
    assert str(rcp.visits[2]) == "W25D1"
    edited = BUILTIN_TEXT.replace(
        '"W1D1", "W3D1", "W25D1", "W27D1"]', '"W1D1", "W3D1", "W26D1", "W27D1"]'
    )
    assert edited != BUILTIN_TEXT
    assert len(edited) == len(BUILTIN_TEXT)
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `touch -r` would
    assert path.stat().st_size == before.st_size
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert str(protocol.load(path).schedules["phase3-rcp"].visits[2]) == "W26D1"


@pytest.mark.parametrize("damage", ["garbage", "oversized", "folder", "fifo", "symlink"])
def test_a_damaged_cache_entry_is_ignored_never_a_hang_or_traceback(
    cache: Path, damage: str
) -> None:
    import os

    fresh = protocol.load()
    [entry] = cache.glob("protocol-*.marshal")
    entry.unlink()
    if damage == "garbage":
        entry.write_bytes(b"\x00" * 100)
    elif damage == "oversized":
        with entry.open("wb") as stream:
            stream.truncate(64 * 1024 * 1024)  # sparse: larger than any entry of ours
    elif damage == "folder":
        entry.mkdir()
    elif damage == "fifo":
        os.mkfifo(entry)  # opening it for reading without O_NONBLOCK would wait for a writer
    else:
        entry.symlink_to("/dev/zero")
    assert protocol.load() == fresh
