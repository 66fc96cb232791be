"""Typed errors of the index and the articles. Each message says what went wrong and how to fix it.

Every error a user can cause derives from `ArticlesQAError`, so the CLIs and the chat page
can show a one-line message instead of a traceback. `qa.errors` re-exports all of them and
adds the errors of asking.
"""


class ArticlesQAError(Exception):
    """Base class for errors caused by input, settings or the state of the index."""


class SettingsError(ArticlesQAError, ValueError):
    """A setting has a wrong type or value; the message names the setting and its variable."""


# -- articles ------------------------------------------------------------------
class ArticleError(ArticlesQAError):
    """An article file cannot be read as text."""


class NotUTF8Error(ArticleError):
    pass


class BinaryFileError(ArticleError):
    pass


class ArticleTooLargeError(ArticleError):
    pass


class NoArticlesError(ArticlesQAError):
    """The articles folder is missing or holds no readable article."""


# -- index ---------------------------------------------------------------------
class IndexStateError(ArticlesQAError):
    """The index folder is missing, half-written, corrupt or busy."""


class IndexNotFoundError(IndexStateError):
    pass


class IndexCorruptError(IndexStateError):
    pass


class IndexOutdatedError(IndexStateError):
    """The index was written by an older version; re-indexing reuses its vectors."""


class IndexMismatchError(IndexOutdatedError):
    """The index was built with other settings (embedder, chunking) than the ones asking: a read
    command never rebuilds it (that would drop what another user indexed); it says which differ."""


class IndexLockedError(IndexStateError):
    pass


class IndexChangedError(IndexStateError):
    """The commit a question was reading was removed by newer commits while it ran; asking again reads
    the newest one (the pipeline does so once by itself)."""


class VectorStoreUnreachableError(IndexStateError):
    """The Chroma server named by `chroma_url` does not answer; start it or fix the URL."""


class IndexWriteError(IndexStateError):
    """The index folder cannot be written (read-only, full disk); the previous index is unchanged."""


class UnreadableFileError(ArticleError):
    """A file of a supported format that cannot be read: damaged, encrypted, no text layer, no article
    body, an unsupported suffix; the message names the file, the reason and the fix."""
