import pytest
from hypothesis import given, strategies as st

from ui.uploads import UploadError, safe_name, save_upload


@pytest.mark.parametrize("name,expected", [
    ("story.txt", "story.txt"), ("../../etc/passwd.txt", "passwd.txt"), ("..\\..\\win.txt", "win.txt"),
    ("my story (1).TXT", "my_story_1.txt"), (".hidden.txt", "hidden.txt"), ("/abs/path/a b.txt", "a_b.txt"),
])
def test_names_are_made_safe(name, expected):
    assert safe_name(name) == expected


@pytest.mark.parametrize("name", ["evil.sh", "page.html", "noext", "..txt", "", "/"])
def test_names_that_cannot_be_articles_are_refused(name):
    with pytest.raises(UploadError):
        safe_name(name)


@given(st.text(max_size=80))
def test_any_name_lands_inside_the_folder_or_is_refused(tmp_path_factory, name):
    folder = tmp_path_factory.mktemp("up")
    try:
        path = save_upload(b"The talks resumed on Monday.", name + ".txt", folder, max_bytes=1000)
    except UploadError:
        return
    assert path.parent == folder.resolve() and path.read_bytes() == b"The talks resumed on Monday."


def test_content_is_validated_and_nothing_half_written(tmp_path):
    with pytest.raises(UploadError, match="limit"):
        save_upload(b"x" * 2000, "big.txt", tmp_path, max_bytes=1000)
    with pytest.raises(Exception, match="binary"):
        save_upload(b"\x00\x01\x02PK\x03\x04", "zip.txt", tmp_path, max_bytes=1000)
    with pytest.raises(Exception, match="UTF-8"):
        save_upload("Café".encode("latin-1"), "latin.txt", tmp_path, max_bytes=1000)
    with pytest.raises(UploadError, match="empty"):
        save_upload(b" \n \n", "blank.txt", tmp_path, max_bytes=1000)
    assert list(tmp_path.iterdir()) == []
