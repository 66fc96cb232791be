"""`ingest()`: turn a folder of articles into the index, incrementally and crash-safely.

Steps: list files -> read and hash every file (its content decides what changed)
-> parse new and changed files (paragraphs, boilerplate, headline/date, sentences, chunks, terms)
and stream them into one new segment (`ingest.segment`) -> take their unchanged chunks' vectors
from the live segments, embed only the missing ones -> fill the segment's own Chroma collection
-> tombstone the files it replaces and the removed ones -> commit the manifest naming the live
segments -> drop segments and collections no commit a reader may hold names -> merge segments
when the tiered merge policy says so (`ingest.merge`, without the lock: a commit never waits for
it). A commit therefore costs what changed, not the corpus. See `ingest.store` for why a kill at
any step, and a reader in another process at any moment, is safe.

Formats: every suffix `ingest.formats` reads (.txt, .html/.htm, .pdf, .docx, .md, .eml), each file
through its format's reader into the same paragraphs; a file's record names its reader's version
(`reader`), so upgrading a reader's library re-reads that format's files (vectors of unchanged text are
reused). Files of other suffixes are not listed.

Not handled: articles edited while a run reads them (the next run picks the edit up).
"""
from __future__ import annotations

import hashlib
import logging
import shutil
import sqlite3
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from ingest import corpus
from ingest.boilerplate import classify
import reading
from ingest import userfolder
from ingest.chunking import chunk_spans
from reading import speakers
from ingest import formats
from ingest.boilerplate import is_instruction
from ingest.formats import Document, text as text_format
from ingest.metadata import describe, find_headline, find_published, sources
from ingest.paragraphs import decode_article_encoded
from ingest.segment import SegmentFolder, SegmentWriter, segment_dir
from ingest.settings import speaker_reader
from ingest.snapshot import vocabulary_fingerprint
from ingest.manifest import CommitRef, Manifest, SegmentRef
from ingest.store import CHROMA_PREFIX, IndexStore, chunk_id, is_connection_error
from ingest.errors import (ArticleError, ArticleTooLargeError, IndexCorruptError, IndexNotFoundError, IndexWriteError,
                           NoArticlesError)
from ingest.settings import IndexSettings
from reading.text import terms

log = logging.getLogger("articles_qa.ingest")
_EMBED_BATCH = 64
_CHROMA_BATCH = 2000


@dataclass(frozen=True)
class IngestReport:
    files: int  # articles in the committed index
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: dict[str, str] = field(default_factory=dict)  # file -> why it was not (re)indexed
    paragraphs: int = 0
    chunks_embedded: int = 0
    seconds: float = 0.0
    rebuilt_from: str | None = None  # where a broken index was moved before rebuilding
    encodings: dict[str, str] = field(default_factory=dict)  # file -> encoding, for files read this run not as UTF-8
    merges: tuple = ()  # ingest.merge.MergeReport of each merge after the commit

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        parts = [
            f"{self.files} articles, {self.paragraphs} paragraphs indexed",
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.removed)} removed, "
            f"{self.unchanged} unchanged",
            f"{self.chunks_embedded} chunks embedded in {self.seconds:.1f}s",
        ]
        if self.merges:
            parts.append(f"{sum(len(m.merged) for m in self.merges)} segments merged into {len(self.merges)} in "
                         f"{sum(m.seconds for m in self.merges):.1f}s")
        if self.encodings:
            parts.append("read as " + ", ".join(f"{enc}: {name}" for name, enc in sorted(self.encodings.items())))
        return "; ".join(parts)


def ingest(
    data_dir: str | Path | None = None,
    index_dir: str | Path | None = None,
    *,
    settings: IndexSettings | None = None,
    embedder=None,
    progress: bool | None = None,
) -> IngestReport:
    """Index the articles of `data_dir` (every format `ingest.formats` reads) into `index_dir` and return
    what changed."""
    settings = (settings or IndexSettings.from_env()).replace(data_dir=data_dir, index_dir=index_dir)
    data_dir, index_dir = Path(settings.data_dir), Path(settings.index_dir)
    progress = sys.stderr.isatty() if progress is None else progress
    started = time.perf_counter()
    userfolder.prepare(data_dir)  # the default folder is the user's, seeded with the demo articles (issue 28)
    files, refused = _list_articles(data_dir)
    store = IndexStore(settings, index_dir)
    try:
        report = _ingest(store, files, settings, embedder, progress, started, refused)
        if report.changed and settings.segments_per_tier:  # after the commit, without the lock
            from ingest.merge import TieredMergePolicy, merge_segments

            try:
                merges = merge_segments(store, TieredMergePolicy(segments_per_tier=settings.segments_per_tier))
            except Exception as e:  # a full disk, a damaged segment, Chroma's own types: the commit stands
                log.warning("merging segments failed (%s); the commit stands and a later ingest merges", e)
                merges = []
            if merges:
                report = replace(report, merges=tuple(merges), seconds=time.perf_counter() - started)
        return report
    except (OSError, sqlite3.OperationalError, _ChromaWriteError) as e:
        if settings.chroma_url and is_connection_error(e):
            raise store.unreachable(e) from None
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise IndexWriteError(
            f"cannot write the index at {index_dir} ({reason}); make the folder writable (or free some space), "
            f"or pass --index with a writable folder. The previous index is unchanged."
        ) from None
    except Exception as e:
        if settings.chroma_url and is_connection_error(e):
            raise store.unreachable(e) from None
        raise
    finally:
        store.close_clients()  # Chroma keeps every collection a client opened loaded until it is closed


def _ingest(store: IndexStore, files: dict[str, Path], settings: IndexSettings, embedder, progress: bool,
            started: float, refused: dict[str, str]) -> IngestReport:
    data_dir = Path(settings.data_dir)
    with store.lock():
        store.remove_leftovers()
        rebuilt_from = None
        try:
            old = store.read_manifest()
        except IndexNotFoundError:
            old = None
        except IndexCorruptError as e:
            rebuilt_from = str(store.quarantine(str(e)))
            log.warning("index was unreadable; moved it to %s and rebuilding", rebuilt_from)
            old = None
        model = settings.embedder_id
        same_vectors = old is not None and old.embed_model == model and old.chunking == _chunking(settings)
        compatible = (same_vectors and old.current and old.vocabulary == vocabulary_fingerprint()
                      and all(SegmentFolder(store.dir / segment_dir(s.id)).exists() for s in old.segments))
        old_files: dict[str, Any] = old.files if compatible else {}

        # Files read this run (new or changed; every file when the index is rebuilt) stream into one new
        # segment as they are read; the others stay in the segments that hold them.
        segment_id = store.new_commit()
        leftovers = store.is_pending()  # a killed run or merge may have left what no manifest names
        writer: SegmentWriter | None = None
        records: dict[str, Any] = {}
        added, updated, skipped, unchanged = [], [], dict(refused), 0
        try:
            for name, path in sorted(files.items()):  # name order: a segment's rows, and first copies, follow it
                previous = old_files.get(name)
                try:
                    record, paragraphs = _record_for(path, previous, settings)
                except (ArticleError, OSError) as e:
                    msg = str(e) if isinstance(e, ArticleError) else f"{name}: cannot read ({e.strerror or e})"
                    if previous is not None:
                        records[name] = previous
                        msg += " (kept the version indexed before)"
                    skipped[name] = msg
                    continue
                if record is None:
                    skipped[name] = f"{name}: empty, nothing to index"
                    continue
                if paragraphs is not None:
                    if writer is None:
                        store.mark_pending()  # a folder no manifest names exists from here on
                        writer = SegmentWriter(store.dir / segment_dir(segment_id))
                    writer.add_file(name, paragraphs)
                    record["segment"] = segment_id
                records[name] = record
                if previous is None:
                    added.append(name)
                elif record is previous or (record["sha256"] == previous["sha256"] and paragraphs is None):
                    unchanged += 1  # (the same bytes read again by a new reader version count as updated)
                else:
                    updated.append(name)
            removed = sorted(set(old_files) - set(records))
            if not records:
                raise NoArticlesError(
                    f"no readable article in {data_dir}" + ("".join(f"\n  {m}" for m in skipped.values()))
                    + f"\nadd articles there ({', '.join(formats.SUFFIXES)}; the index was left as it was)"
                )

            changed = bool(added or updated or removed) or not compatible
            embedded = 0
            repair = None if changed or old is None else _vector_store_problem(store, old)
            if repair:  # the committed vector store no longer opens: refill a new one from the segments' vectors
                rebuilt_from = None if settings.chroma_url else str(store.set_aside(old.vector_dir, repair))
                log.warning("%s; rebuilding the vector store from the segments", repair)
            if changed or old is None or repair:
                embedded = _commit(store, old, compatible, same_vectors, writer, records, settings, embedder,
                                   progress, fresh_vectors=bool(repair))
                writer = None
            else:
                if store.is_pending():  # a killed run left a collection or folder no manifest names
                    _drop_superseded(store, old, keep_segment=store.merging_segment())
                    store.clear_pending()
                if any(records[n] is not old_files.get(n) for n in records):
                    # only mtimes moved (e.g. a `touch`): remember them so the next run stays fast; same commit
                    store.write_manifest(old.with_files(records))
        except BaseException:
            if writer is not None:  # a failure or a kill signal before the commit: remove the unfinished segment
                writer.abort()
                shutil.rmtree(writer.path, ignore_errors=True)
            raise

    return IngestReport(
        files=len(records),
        added=added,
        updated=updated,
        removed=removed,
        unchanged=unchanged,
        skipped=skipped,
        paragraphs=sum(r["paragraphs"] for r in records.values()),
        chunks_embedded=embedded,
        seconds=time.perf_counter() - started,
        rebuilt_from=rebuilt_from,
        encodings={n: r["encoding"] for n, r in records.items() if r.get("segment") == segment_id
                   and r.get("encoding", "utf-8") not in ("utf-8", "utf-8-sig", "ascii")},
    )


def _commit(store: IndexStore, old: Manifest | None, compatible: bool, reuse: bool, writer: SegmentWriter | None,
            records: dict[str, Any], settings: IndexSettings, embedder, progress: bool, *,
            fresh_vectors: bool = False) -> int:
    """Write a new commit: the new segment (`writer`'s: the files read this run, None when only files were
    removed) with its collection, tombstones for the files it replaces or that are gone, then the manifest
    naming the live segments. `compatible`: the previous commit's segments stay live (else this one
    segment holds every file); `reuse`: its vectors fit (same embedder and chunking); `fresh_vectors`:
    start a new vector folder and refill every live segment's collection from its `vectors.npy` (the old
    one was broken). Returns how many chunks were embedded."""
    commit = store.new_commit()
    vector_dir = old.vector_dir if reuse and not fresh_vectors and old.vector_dir and (
        settings.chroma_url or (store.dir / old.vector_dir).is_dir()) else store.new_dir(CHROMA_PREFIX)
    new_folder = not settings.chroma_url and (old is None or vector_dir != old.vector_dir)
    store.mark_pending()
    segments = _tombstoned(old, records) if compatible else []
    created: list[str] = []
    embedded = 0
    try:
        try:
            if not settings.chroma_url:
                (store.dir / vector_dir).mkdir(exist_ok=True)  # it exists even while no segment has a collection
            if old is not None and vector_dir != old.vector_dir:
                for i, segment in enumerate(segments):  # the vector store was rebuilt: same segments, refilled
                    folder = SegmentFolder(store.dir / segment_dir(segment.id))
                    ids = _vector_ids(folder)
                    created.append(segment.id)
                    hnsw = _fill_collection(store, vector_dir, segment.id, ids, folder.vectors())
                    segments[i] = segment.model_copy(update={"hnsw": hnsw})
            if writer is not None:
                ids = list(writer.chunk_texts)
                found_ids, found = _reuse_vectors(store, old if reuse else None, ids)
                have = dict(zip(found_ids, range(len(found_ids))))
                missing = [cid for cid in ids if cid not in have]
                new_vectors = _embed(missing, writer.chunk_texts, settings, embedder, progress)
                embedded = len(missing)
                vectors = _in_order(ids, have, found, missing, new_vectors)
                writer.finish(vectors, meta={"vocabulary": vocabulary_fingerprint()})
                created.append(writer.path.name.split("-", 1)[1])
                hnsw = _fill_collection(store, vector_dir, created[-1], ids, vectors)
                segments.append(SegmentRef(id=created[-1], paragraphs=writer.paragraphs, docs=writer.docs,
                                           chunks=len(ids), hnsw=hnsw))
        except Exception as e:  # chromadb's own types; a read-only or full store is the user's to fix
            if (full := store.disk_full(store.dir / vector_dir, e)) is not None:  # e.g. an AttributeError at 8 KB free
                raise full from None
            if any(w in str(e).lower() for w in ("readonly", "read-only", "permission", "no space", "disk is full",
                                                 "database or disk is full")):
                raise _ChromaWriteError(str(e)) from None
            raise
    except BaseException:  # a full disk, a kill signal: remove this commit's half-written parts now
        _discard(store, vector_dir, [store.collection_name(s) for s in created],
                 [writer.path.name] if writer is not None else [], new_folder=new_folder)
        raise
    manifest = Manifest(
        commit=commit,
        embed_model=settings.embedder_id,
        chunking=_chunking(settings),
        vocabulary=vocabulary_fingerprint(),
        vector_dir=vector_dir,
        segments=tuple(segments),
        previous=old.names() if old is not None and (old.segments or old.collection) else CommitRef(),
        built_at=_now(),
        files=records,
    )
    store.write_manifest(manifest)
    _drop_superseded(store, manifest, keep_segment=store.merging_segment())
    store.clear_pending()
    return embedded


def _tombstoned(old: Manifest, records: dict[str, Any]) -> list[SegmentRef]:
    """The previous commit's segments with tombstones for the files whose live version moves to the new
    segment or is gone; a segment none of whose files is live any more is dropped."""
    dead: dict[str, list[str]] = defaultdict(list)
    deleted: dict[str, int] = defaultdict(int)
    for name, record in old.files.items():
        segment = record.get("segment")
        if name not in records or records[name].get("segment") != segment:
            dead[segment].append(name)
            deleted[segment] += int(record.get("paragraphs", 0))
    live = {r.get("segment") for r in records.values()}
    out = []
    for segment in old.segments:
        if segment.id not in live:
            continue
        if dead[segment.id]:
            segment = segment.model_copy(update={
                "tombstones": tuple(sorted({*segment.tombstones, *dead[segment.id]})),
                "deleted": segment.deleted + deleted[segment.id]})
        out.append(segment)
    return out


def _in_order(ids: list[str], have: dict[str, int], found: np.ndarray | None, missing: list[str],
              new_vectors: np.ndarray | None) -> np.ndarray | None:
    """The vectors of `ids` in that order, from the reused ones (`have`: id -> row of `found`) and the
    newly embedded ones (`new_vectors[i]` is `missing[i]`'s)."""
    if not ids:
        return None
    fresh = {cid: i for i, cid in enumerate(missing)}
    dim = (found if found is not None else new_vectors).shape[1]
    out = np.empty((len(ids), dim), dtype=np.float32)
    for i, cid in enumerate(ids):
        out[i] = found[have[cid]] if cid in have else new_vectors[fresh[cid]]
    return out


def _vector_ids(folder: SegmentFolder) -> list[str]:
    db = folder.connect()
    try:
        return [cid for (cid,) in db.execute("SELECT id FROM vectors ORDER BY row")]
    finally:
        db.close()


def _fill_collection(store: IndexStore, vector_dir: str, segment_id: str, ids: list[str], vectors) -> bool:
    """Create segment `segment_id`'s collection in `vector_dir` holding `vectors` (row i is `ids[i]`'s) when the
    segment is large enough to want one (`ingest.corpus.wants_hnsw`); a small segment is searched exactly over
    its `vectors.npy` and Chroma is not started. Returns whether a collection was made."""
    if not corpus.wants_hnsw(len(ids), store.settings):
        return False
    collection = store.create_collection(vector_dir, store.collection_name(segment_id))
    for i in range(0, len(ids), _CHROMA_BATCH):
        collection.add(ids=ids[i:i + _CHROMA_BATCH], embeddings=np.asarray(vectors[i:i + _CHROMA_BATCH]))
    return True


class _ChromaWriteError(Exception):
    """Chroma could not write its store (read-only or full); reported as IndexWriteError."""


def _discard(store: IndexStore, vector_dir: str, collections: list[str], folders: list[str], *,
             new_folder: bool) -> None:
    """Remove what a failed commit wrote (its collections and segment folders, and its vector folder
    when this commit started it), as far as the failure allows; whatever stays is removed by the next
    run (the pending marker says to look)."""
    for folder in folders:
        shutil.rmtree(store.dir / folder, ignore_errors=True)
    if new_folder:
        store.close_client(vector_dir)
        shutil.rmtree(store.dir / vector_dir, ignore_errors=True)
        return
    try:
        store.drop_collections(vector_dir, keep=set(), only=set(collections))
    except Exception as e:  # the store may be the thing that failed
        log.warning("could not remove the unfinished collections %s (%s); the next ingest will", collections, e)


def _drop_superseded(store: IndexStore, manifest: Manifest, *, keep_segment: str | None = None) -> None:
    """Delete collections and folders that neither this commit nor the one before it names (a reader
    may still hold the one before; one holding an older commit asks again on the newest). `keep_segment`:
    a segment being written by a merge (named by no commit yet). Chroma is started only when its store
    holds a collection to delete (listed with sqlite3: starting Chroma costs about a second)."""
    previous = manifest.previous
    segments = {s.id for s in manifest.segments} | set(previous.segments) | ({keep_segment} - {None})
    keep = {store.collection_name(s) for s in segments} | ({manifest.collection, previous.collection} - {None})
    vector_dirs = {manifest.vector_dir, previous.vector_dir} - {None}
    for vector_dir in vector_dirs:
        if store.settings.chroma_url or (store.dir / vector_dir).is_dir():
            stored = store.stored_collections(vector_dir)
            if stored is None or stored - keep:
                store.drop_collections(vector_dir, keep=keep)
            store.drop_orphan_segments(vector_dir)
    store.drop_build_dirs(keep=vector_dirs | {segment_dir(s) for s in segments}
                          | ({manifest.corpus_dir, previous.corpus_dir} - {None}))


def _vector_store_problem(store: IndexStore, manifest: Manifest) -> str | None:
    """Why a live segment's collection cannot answer (its store unreadable, the collection or its
    vector-index folder missing), or None when they look sound. Checked by every ingest that changes
    nothing, so that re-running ingest repairs a damaged store, as error messages tell the user to.
    Read with sqlite3, without starting Chroma (that took a no-op run from 0.5 to 2 s)."""
    if store.settings.chroma_url:
        return None  # a server keeps its own store; a missing collection is reported when asking
    for segment in manifest.segments:
        if not segment.hnsw:
            continue  # searched exactly over its vectors.npy: no collection to check
        problem = store.vector_store_problem(manifest.vector_dir, store.collection_name(segment.id))
        if problem:
            return problem
    return None


def _reuse_vectors(store: IndexStore, old: Manifest | None, ids: list[str]) -> tuple[list[str], np.ndarray | None]:
    """Vectors of `ids` that the previous commit already holds: from its segments' `vectors.npy`
    (tombstoned rows too: an edited article reuses its unchanged paragraphs'), else, for a segment whose
    `vectors.npy` cannot be read, from its collection; for an index of format 3 from its snapshot, of format
    2 from its one collection. A segment's two copies hold the same vectors, so Chroma is not started to look
    for a new text (it cost a one-file commit about a second)."""
    if old is None or not ids:
        return [], None
    found: list[str] = []
    parts: list[np.ndarray] = []
    rest = list(ids)
    sources = ([(store.dir / segment_dir(s.id), store.collection_name(s.id) if s.hnsw else None)
                for s in old.segments] if old.segments
               else [(store.dir / old.corpus_dir if old.corpus_dir else None,
                      old.collection or store.legacy_collection_name(old.embed_model, old.vector_dir))])
    ask_chroma: list[str] = [name for folder, name in sources if folder is None and name]
    for folder, name in sources:
        if not rest or folder is None:
            continue
        try:
            if old.segments and not SegmentFolder(folder).exists():
                raise FileNotFoundError("the segment's folder is missing")
            got, vectors = SegmentFolder(folder).find_vectors(rest)
        except (sqlite3.Error, OSError, ValueError) as e:
            log.warning("the vectors in %s are unreadable (%s); taking them from Chroma", folder, e)
            ask_chroma += [name] if name else []
            continue
        if got:
            found += got
            parts.append(vectors)
            taken = set(got)
            rest = [cid for cid in rest if cid not in taken]
        if not old.segments and name:
            ask_chroma.append(name)  # a format-3 snapshot: its collection may hold what the snapshot lacks
    here = store.settings.chroma_url or (store.dir / old.vector_dir).is_dir()
    for name in ask_chroma:
        collection = store.get_collection_or_none(old.vector_dir, name) if rest and here else None
        if collection is None:
            continue
        got_ids, got = [], []
        for i in range(0, len(rest), _CHROMA_BATCH):
            batch = collection.get(ids=rest[i:i + _CHROMA_BATCH], include=["embeddings"])
            got_ids += batch["ids"]
            got += list(batch["embeddings"])
        if got_ids:
            found += got_ids
            parts.append(np.asarray(got, dtype=np.float32))
            taken = set(got_ids)
            rest = [cid for cid in rest if cid not in taken]
    return found, (np.concatenate(parts) if parts else None)


def _chunking(settings: IndexSettings) -> list[int]:
    return [settings.chunk_tokens, settings.chunk_overlap]


def _list_articles(data_dir: Path) -> tuple[dict[str, Path], dict[str, str]]:
    """The articles of `data_dir` (relative name -> path), and the files refused for their name
    (shown name -> why): a name that is not UTF-8 cannot be stored or cited, and one holding a line
    break or another control character would forge lines wherever sources are printed."""
    if not data_dir.is_dir():
        raise NoArticlesError(f"articles folder {data_dir} does not exist; create it and put articles in it "
                              f"({', '.join(formats.SUFFIXES)})")
    files, refused = {}, {}
    root = data_dir.resolve()
    for p in sorted(data_dir.rglob("*")):
        parts = p.relative_to(data_dir).parts
        if any(part.startswith(".") for part in parts) or (p.is_dir() and not p.is_symlink()):
            continue
        name = p.relative_to(data_dir).as_posix()
        shown = shown_name(name)
        if (why := _not_an_article(p, root)) is not None:
            refused[shown] = f"{shown}: {why}"
        elif shown != name:
            refused[shown] = (f"{shown}: the file name is not plain UTF-8 text (it holds an undecodable byte or a "
                              f"control character such as a line break); rename the file")
        else:
            files[name] = p
    if not files:
        raise NoArticlesError(f"no .txt articles in {data_dir} (nor any other format read: "
                              f"{', '.join(formats.SUFFIXES[1:])}); add articles there"
                              + "".join(f"\n  {m}" for m in refused.values()))
    return files, refused


def _not_an_article(path: Path, root: Path) -> str | None:
    """Why `path` (a non-hidden entry of the articles folder, `root` resolved) is not read, in words with the
    fix, or None for an article: each is one "skipped" line, never silence (issue 28). A link is followed
    only to a regular file inside the folder (never /etc/passwd, /proc, /dev/zero); a FIFO, a device or a
    socket would block or never end."""
    try:
        target = path.resolve(strict=True)
    except RuntimeError:
        return "a symbolic link that loops; remove it"
    except OSError as e:
        return f"a symbolic link to nothing ({e.strerror or e}); remove it" if path.is_symlink() else \
            f"cannot be read ({e.strerror or e})"
    if not target.is_relative_to(root):  # the link, or a folder link above it, leads outside
        return f"a link to {target}, outside the articles folder; copy the file in instead"
    if target.is_dir():
        return None if not path.is_symlink() else "a link to a folder; copy the files in instead"
    if not target.is_file():
        return "not a regular file (a FIFO, device or socket); articles must be plain files"
    if not formats.supported(path):
        return f"not an article file (only {', '.join(formats.SUFFIXES)} files are read)"
    return None


def shown_name(name: str) -> str:
    """`name` safe to print on one line: undecodable bytes as \\xNN, control characters escaped."""
    name = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() or ch == " " else ascii(ch)[1:-1] for ch in name)


def _record_for(path: Path, previous: dict | None, settings: IndexSettings) -> tuple[dict | None, list | None]:
    """The manifest record of one file and its paragraphs; (previous, None) when it did not change.
    Its content decides (sha256 of a `.txt` file's text, of any other file's bytes), not its size and
    mtime: an edit of the same size within one mtime tick is still seen; and its reader's version: a
    file read by another version of its reader (a trafilatura upgrade) is read again. Hashing every
    file costs about 1 ms per 100 KB. Raises `ArticleError` (one line) for a file that cannot be read."""
    st = path.stat()
    if st.st_size > settings.max_file_bytes:
        raise ArticleTooLargeError(
            f"{path.name}: {st.st_size:,} bytes is over the {settings.max_file_bytes:,}-byte limit; "
            f"split it or raise max_file_bytes")
    reader = formats.reader_for(path)
    version = reader.version()
    data = path.read_bytes()
    if reader is text_format:
        text, encoding = decode_article_encoded(data, path.name)
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    else:
        sha, encoding = hashlib.sha256(data).hexdigest(), None
    if previous and previous["sha256"] == sha and previous.get("reader", text_format.version()) == version:
        if previous["size"] == st.st_size and previous["mtime_ns"] == st.st_mtime_ns:
            return previous, None
        return {**previous, "size": st.st_size, "mtime_ns": st.st_mtime_ns}, None
    document = (text_format.document(text, encoding) if reader is text_format
                else formats.read_document(data, path.name, max_bytes=settings.max_file_bytes))
    record, paragraphs = parse_document(document, settings, sha256=sha, size=st.st_size, mtime_ns=st.st_mtime_ns)
    if record is not None:
        record["reader"] = version
        if document.encoding:
            record["encoding"] = document.encoding
    return record, paragraphs


def parse_article(text: str, settings: IndexSettings, *, sha256: str, size: int,
                  mtime_ns: int, parser=None) -> tuple[dict | None, list | None]:
    """`parse_document` of a `.txt` article's text."""
    return parse_document(text_format.document(text), settings, sha256=sha256, size=size, mtime_ns=mtime_ns,
                          parser=parser)


def parse_document(document: Document, settings: IndexSettings, *, sha256: str, size: int,
                   mtime_ns: int, parser=None) -> tuple[dict | None, list | None]:
    """The manifest record of one article (any format, `ingest.formats.Document`), and its paragraphs
    with boilerplate reasons, sentences, chunks, BM25 terms and `annotations` (`reading`: units
    with readings, mentions and speakers; acronyms). `parser`: the speaker parser (default
    `speakers.default_parser()`). Paragraphs are the document's blocks, numbered 1, 2, 3...

    Boilerplate: `ingest.boilerplate.classify` where the format left it in (`document.heuristics`: text,
    PDF, Word, Markdown, a plain-text e-mail); where an extractor removed it (HTML) only text addressed
    to an AI is flagged. A block the format marks as a heading is "heading", its title "headline".
    Metadata: the format's own first (`document.headline`, ...), then `ingest.metadata` reads the text.
    A paged format's record holds `page_starts`: the first paragraph number on each page (1-based pages;
    a page with no paragraph starts where the next one does)."""
    blocks = document.blocks
    if not blocks:
        return None, None
    texts = [b.text for b in blocks]
    if document.heuristics:
        reasons = classify(texts)
    else:
        reasons = ["instruction" if is_instruction(t) else None for t in texts]
    for i, b in enumerate(blocks):
        if b.kind in ("title", "heading") and reasons[i] != "instruction":
            reasons[i] = "headline" if b.kind == "title" else "heading"
    headline = document.headline or find_headline(texts)
    reasons = [("headline" if reason == "heading" and headline and t.split("\n")[0].strip() == headline
                else reason) for t, reason in zip(texts, reasons)]
    read = reading.read_article(texts, reasons, parser if parser is not None else speakers.default_parser(speaker_reader()))
    out = []
    for n, (b, reason, annotations) in enumerate(zip(blocks, reasons, read), 1):
        item: dict[str, Any] = {"n": n, "line": b.line, "text": b.text, "boilerplate": reason,
                                "annotations": reading.dump(annotations)}
        if reason is None:
            item["terms"] = terms(b.text)
            item["sentences"] = [[u.start, u.end] for u in annotations["units"]]
            item["chunks"] = [
                [chunk_id(settings.embedder_id, b.text[a:c]), a, c]
                for a, c in chunk_spans(b.text, settings.chunk_tokens, settings.chunk_overlap)
            ]
        out.append(item)
    described = describe(texts, reasons)
    record = {
        "sha256": sha256,
        "size": size,
        "mtime_ns": mtime_ns,
        "indexed_at": _now(),
        "headline": headline,
        "published": document.published or find_published(texts),
        "paragraphs": len(out),
        **described,
        "outlet": document.outlet or described.get("outlet"),
        "sources": sources(texts, reasons, given={"headline": document.headline, "published": document.published,
                                                  "outlet": document.outlet}),  # where each field came from (issue 28)
    }
    if document.author:
        record["author"] = document.author
    if document.pages:
        record["page_starts"] = page_starts([b.page for b in blocks])
    return record, out


def page_starts(pages: list[int | None]) -> list[int]:
    """The first paragraph number on each page, from each paragraph's page: [1, 1, 2, 3] -> [1, 3, 4]
    (a page without paragraphs gets the number of the next page's first)."""
    last = max(p for p in pages if p is not None)
    starts = [len(pages) + 1] * last
    for n in range(len(pages), 0, -1):  # from the end: each page's first paragraph, empty pages take the next's
        if pages[n - 1] is not None:
            starts[pages[n - 1] - 1] = n
    for page in range(last - 2, -1, -1):
        starts[page] = min(starts[page], starts[page + 1])
    return starts


def _embed(missing: list[str], wanted: dict[str, str], settings, embedder, progress) -> np.ndarray | None:
    """Vectors of the `missing` chunk ids, in that order (float32, filled batch by batch: a list of Python
    floats per chunk cost about 12 KB a chunk, 1.2 GB at 100,000 chunks)."""
    if not missing:
        return None
    if embedder is None:
        from ingest.embedding import load_encoder

        embedder = load_encoder(settings)
    # Longest first keeps padding low within a batch.
    order = sorted(range(len(missing)), key=lambda i: len(wanted[missing[i]]), reverse=True)
    out: np.ndarray | None = None
    bar = _progress(len(missing), progress)
    for i in range(0, len(order), _EMBED_BATCH):
        batch = order[i : i + _EMBED_BATCH]
        vectors = np.asarray(embedder.get_text_embedding_batch([wanted[missing[j]] for j in batch]), dtype=np.float32)
        if out is None:
            out = np.empty((len(missing), vectors.shape[1]), dtype=np.float32)
        out[batch] = vectors
        bar.update(len(batch))
    bar.close()
    return out


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="embedding", unit="chunk", disable=not enabled, file=sys.stderr)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
