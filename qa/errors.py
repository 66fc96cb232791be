"""Every error a user can get from `ask()` and `ingest()`: the index's (from `ingest.errors`)
and the errors of asking. All derive from `ArticlesQAError`."""
from ingest.errors import (  # noqa: F401  (re-exported: the public error family)
    ArticleError,
    ArticlesQAError,
    ArticleTooLargeError,
    BinaryFileError,
    IndexChangedError,
    IndexCorruptError,
    IndexLockedError,
    IndexMismatchError,
    IndexNotFoundError,
    IndexOutdatedError,
    IndexStateError,
    IndexWriteError,
    VectorStoreUnreachableError,
    NoArticlesError,
    NotUTF8Error,
    SettingsError,
)


# -- questions ---------------------------------------------------------------
class QuestionError(ArticlesQAError, ValueError):
    """The question cannot be asked as it is."""


class EmptyQuestionError(QuestionError):
    pass


class QuestionTooLongError(QuestionError):
    pass


class UnsupportedLanguageError(QuestionError):
    pass


class BadHistoryError(QuestionError):
    pass


class BackendError(ArticlesQAError):
    """The configured LLM backend cannot be used as configured."""
