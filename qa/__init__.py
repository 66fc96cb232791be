"""articles-qa: answers from a folder of news articles, every sentence cited to file and paragraph."""
# The chat page imports only from qa: checking that an upload is an article, and what a re-index did.
from ingest import IngestReport
from ingest.formats import SUFFIXES, read_document
from ingest.paragraphs import decode_article, split_paragraphs
from qa.answer import Answer, AnswerSentence, Citation, Retrieved
from qa.errors import (
    ArticleError,
    ArticlesQAError,
    BackendError,
    ScorerUnavailableError,
    BadHistoryError,
    EmptyQuestionError,
    IndexChangedError,
    IndexCorruptError,
    IndexLockedError,
    IndexNotFoundError,
    IndexOutdatedError,
    IndexStateError,
    IndexWriteError,
    NoArticlesError,
    QuestionError,
    QuestionTooLongError,
    SettingsError,
    UnsupportedLanguageError,
)
from qa.pipeline import Pipeline, ask
from qa.settings import Settings

__all__ = [
    "ask", "Pipeline", "Settings", "Answer", "AnswerSentence", "Citation", "Retrieved",
    "ArticlesQAError", "SettingsError", "QuestionError", "EmptyQuestionError", "QuestionTooLongError",
    "UnsupportedLanguageError", "BadHistoryError", "ArticleError", "NoArticlesError", "IndexStateError",
    "IndexNotFoundError", "IndexCorruptError", "IndexOutdatedError", "IndexLockedError", "IndexWriteError",
    "IndexChangedError", "BackendError", "ScorerUnavailableError", "IngestReport", "decode_article", "split_paragraphs",
    "SUFFIXES", "read_document",
]
