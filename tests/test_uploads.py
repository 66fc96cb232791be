import os
import stat

import pytest
from hypothesis import given, strategies as st

from ui.uploads import UploadError, safe_name, save_upload


@pytest.mark.parametrize("name,expected", [
    ("story.txt", "story.txt"), ("../../etc/passwd.txt", "passwd.txt"), ("..\\..\\win.txt", "win.txt"),
    ("my story (1).TXT", "my_story_1.txt"), (".hidden.txt", "hidden.txt"), ("/abs/path/a b.txt", "a_b.txt"),
])
def test_names_are_made_safe(name, expected):
    assert safe_name(name) == expected


@pytest.mark.parametrize("name", ["evil.sh", "old.doc", "noext", "..txt", "", "/"])
def test_names_that_cannot_be_articles_are_refused(name):
    with pytest.raises(UploadError):
        safe_name(name)


@given(st.text(max_size=80))
def test_any_name_lands_inside_the_folder_or_is_refused(tmp_path_factory, name):
    folder = tmp_path_factory.mktemp("up")
    try:
        path = save_upload(b"The talks resumed on Monday.", name + ".txt", folder, max_bytes=1000).path
    except UploadError:
        return
    assert path.parent == folder.resolve() and path.read_bytes() == b"The talks resumed on Monday."


def test_content_is_validated_and_nothing_half_written(tmp_path):
    with pytest.raises(UploadError, match="limit"):
        save_upload(b"x" * 2000, "big.txt", tmp_path, max_bytes=1000)
    with pytest.raises(Exception, match="binary"):
        save_upload(b"\x00\x01\x02PK\x03\x04", "zip.txt", tmp_path, max_bytes=1000)
    with pytest.raises(Exception, match="byte-order mark"):  # latin-1 is read since issue 17; a lying BOM is not
        save_upload(b"\xff\xfe broken", "latin.txt", tmp_path, max_bytes=1000)
    with pytest.raises(UploadError, match="empty"):
        save_upload(b" \n \n", "blank.txt", tmp_path, max_bytes=1000)
    assert list(tmp_path.iterdir()) == []


def test_a_taken_name_is_never_overwritten(tmp_path):
    (tmp_path / "story.txt").write_bytes(b"The user's own article.")
    (tmp_path / "story-2.txt").write_bytes(b"Another of the user's articles.")
    saved = save_upload(b"An upload with the same name.", "story.txt", tmp_path, max_bytes=1000)
    assert (saved.path.name, saved.renamed) == ("story-3.txt", True)
    assert saved.describe() == "Added story-3.txt (story.txt already exists and was left as it is)"
    assert (tmp_path / "story.txt").read_bytes() == b"The user's own article."
    assert (tmp_path / "story-2.txt").read_bytes() == b"Another of the user's articles."
    assert saved.path.read_bytes() == b"An upload with the same name."
    fresh = save_upload(b"A new one.", "fresh.txt", tmp_path, max_bytes=1000)
    assert (fresh.path.name, fresh.describe()) == ("fresh.txt", "Added fresh.txt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.txt", "story-2.txt", "story-3.txt", "story.txt"]


def test_saved_files_get_the_folders_usual_permissions(tmp_path):
    old = os.umask(0o027)
    try:
        path = save_upload(b"The talks resumed on Monday.", "a.txt", tmp_path, max_bytes=1000).path
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    path = save_upload(b"The talks resumed on Tuesday.", "b.txt", tmp_path, max_bytes=1000).path
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~old


def test_an_identical_upload_is_recognised_and_not_added(tmp_path):
    data = "The lighthouse keeper retired after forty years at Cape Wrath.\n".encode()
    (tmp_path / "lighthouse.txt").write_bytes(data)
    (tmp_path / "other.txt").write_bytes(data.replace(b"forty", b"fifty"))  # same size, other bytes
    before = sorted(p.name for p in tmp_path.iterdir())
    saved = save_upload(data, "keeper.txt", tmp_path, max_bytes=1000)
    assert saved.duplicate and saved.path == tmp_path / "lighthouse.txt"
    assert saved.describe() == "Not added: keeper.txt is identical to lighthouse.txt, already in the articles folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert save_upload(data + b"More.\n", "keeper.txt", tmp_path, max_bytes=1000).describe() == "Added keeper.txt"
