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
    UnreadableFileError,
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


class ScorerUnavailableError(ArticlesQAError):
    """The answer scorer's model file is missing or unreadable (rebuild it with `python -m qa.eval.train`)."""


class ModelFileError(ScorerUnavailableError):
    """A model file of answering (the confidence model, a scorer's weights) is missing, unreadable or fitted
    for other inputs; the message names the command that fits it again."""


class InputFileError(ArticlesQAError, ValueError):
    """An evaluation input (questions, labelled sentences, a dataset) cannot be read as what it should be."""


def read_input(path) -> str:
    """The UTF-8 text of an evaluation input file; InputFileError (one line, the fix) otherwise."""
    from pathlib import Path

    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise InputFileError(f"cannot read {path}: {e.strerror or e}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputFileError(f"{path} is not UTF-8 text (byte {e.start} is 0x{data[e.start]:02x}); convert it, "
                             f"e.g. `iconv -f latin1 -t utf-8 {path} > fixed.jsonl`") from None
