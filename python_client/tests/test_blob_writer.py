"""The pull's file writer: whole aligned blocks go O_DIRECT, everything else through the page cache.

On a real file in pytest's tmp dir (the machine's disk, ext4 here: it takes O_DIRECT from aligned
memory and refuses it, EINVAL, from unaligned memory). Every case checks the bytes on disk.
"""

import hashlib
import mmap
import os

import pytest
from modelreg._cache import BlobWriter

MIB = 1024 * 1024

pytestmark = pytest.mark.skipif(not hasattr(os, "O_DIRECT"), reason="this platform has no O_DIRECT")


def _filled(size: int) -> mmap.mmap:
    buffer = mmap.mmap(-1, size)
    buffer[:] = os.urandom(size)
    return buffer


def _write(path, chunks):
    writer = BlobWriter(path)
    try:
        for chunk in chunks:
            writer.write(chunk)
        return writer.direct, writer.hexdigest()
    finally:
        writer.close()


def test_aligned_buffers_go_past_the_page_cache_and_the_tail_through_it(tmp_path):
    a, b = _filled(MIB), _filled(MIB)
    chunks = [memoryview(a), memoryview(b)[:5000]]
    direct, digest = _write(tmp_path / "blob.incomplete", chunks)
    expected = a[:] + b[:5000]
    assert direct is True
    assert (tmp_path / "blob.incomplete").read_bytes() == expected
    assert digest == hashlib.sha256(expected).hexdigest()


def test_a_refused_direct_write_goes_on_through_the_page_cache(tmp_path):
    a = _filled(2 * MIB)
    misaligned = memoryview(a)[1 : 1 + 8192]  # a whole block's length one byte past a page: EINVAL
    rest = memoryview(a)[MIB : 2 * MIB]
    direct, _ = _write(tmp_path / "blob.incomplete", [misaligned, rest])
    assert direct is False
    assert (tmp_path / "blob.incomplete").read_bytes() == bytes(misaligned) + bytes(rest)


def test_a_resumed_download_at_an_unaligned_offset_is_appended_exactly(tmp_path):
    path = tmp_path / "blob.incomplete"
    head = os.urandom(5000)
    path.write_bytes(head)
    a = _filled(MIB)
    writer = BlobWriter(path)
    try:
        assert writer.offset == len(head)
        writer.write(memoryview(a))
        digest = writer.hexdigest()
    finally:
        writer.close()
    assert path.read_bytes() == head + a[:]
    assert digest == hashlib.sha256(head + a[:]).hexdigest()


def test_restart_throws_away_what_direct_writes_put_on_disk(tmp_path):
    path = tmp_path / "blob.incomplete"
    a, b = _filled(MIB), _filled(MIB)
    writer = BlobWriter(path)
    try:
        writer.write(memoryview(a))
        writer.restart()
        writer.write(memoryview(b))
        assert writer.direct is True
    finally:
        writer.close()
    assert path.read_bytes() == b[:]
