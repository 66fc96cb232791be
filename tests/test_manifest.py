"""`Manifest`: the one class that reads, validates and writes manifest.json."""
import json

import pytest

from ingest import ingest
from ingest.manifest import FORMAT, CommitRef, Manifest, SegmentRef
from ingest.store import IndexStore
from qa.errors import IndexCorruptError


def test_a_manifest_round_trips_and_reads_as_a_mapping_too(tmp_path):
    segment = SegmentRef(id="0123456789ab", paragraphs=4, docs=3, chunks=3, tombstones=("b.txt",), deleted=1)
    m = Manifest(commit="c1", embed_model="fake", chunking=[96, 16], vocabulary="v", vector_dir="chroma-1",
                 segments=(segment,), previous=CommitRef(commit="c0", segments=("0123456789ab",)),
                 files={"a.txt": {"sha256": "x", "size": 1, "mtime_ns": 2, "paragraphs": 3, "segment": segment.id}})
    m.write(tmp_path / "manifest.json")
    back = Manifest.read(tmp_path / "manifest.json")
    assert back == m and back.current and back.format == FORMAT and back.segments[0].live == 3
    assert back["files"]["a.txt"]["paragraphs"] == 3 and back.get("previous") == {"commit": "c0",
                                                                                   "segments": ("0123456789ab",)}
    assert back.segment_files() == {segment.id: ["a.txt"]}
    assert back.get("nothing", 5) == 5 and "commit" in back and "nothing" not in back
    with pytest.raises(KeyError):
        back["nothing"]
    with pytest.raises(Exception):
        back.commit = "other"  # frozen
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("text, reason", [
    ('{"format": 3, "files": {}', "not JSON"),
    ("[1]", "not a JSON object"),
    ('{"format": 9, "files": {}, "embed_model": "m"}', "format 9"),
    ('{"format": 3, "files": [], "embed_model": "m"}', "files"),
    ('{"format": 3, "files": {}}', "embed_model"),
    # a segment id is a name, never a path; every file names a live segment
    ('{"format": 4, "files": {}, "embed_model": "m", "segments": [{"id": "../x", "paragraphs": 1, "docs": 1, '
     '"chunks": 1}]}', "segments.0.id"),
    ('{"format": 4, "embed_model": "m", "segments": [{"id": "0123456789ab", "paragraphs": 1, "docs": 1, "chunks": 1}],'
     ' "files": {"a.txt": {"segment": "ba9876543210"}}}', "not live"),
])
def test_a_bad_manifest_is_refused_with_the_reason(tmp_path, text, reason):
    (tmp_path / "manifest.json").write_text(text)
    with pytest.raises(ValueError, match=reason):
        Manifest.read(tmp_path / "manifest.json")
    store = IndexStore.__new__(IndexStore)
    store.dir = tmp_path
    with pytest.raises(IndexCorruptError, match=reason):
        store.read_manifest()


def test_leftovers_of_a_killed_writer_are_removed_by_the_next_ingest(fake_settings, fake_embedder):
    ingest(settings=fake_settings, embedder=fake_embedder, progress=False)
    store = IndexStore(fake_settings)
    (store.dir / ".manifest.json.4242.tmp").write_text('{"half": ')
    assert Manifest.leftovers(store.dir)
    ingest(settings=fake_settings, embedder=fake_embedder, progress=False)
    assert not Manifest.leftovers(store.dir)
    assert json.loads(store.manifest_path.read_text())["commit"] == store.read_manifest().commit


def test_a_segment_of_an_earlier_manifest_has_a_collection():
    """Manifests written before `SegmentRef.hnsw` gave every segment a Chroma collection."""
    assert SegmentRef.model_validate({"id": "0123456789ab", "paragraphs": 1, "docs": 1, "chunks": 1}).hnsw
