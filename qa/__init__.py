"""articles-qa: answers from a folder of news articles, every sentence cited to file and paragraph."""
from qa.answer import Answer, Citation, Retrieved
from qa.errors import (
    ArticlesQAError,
    EmptyQuestionError,
    IndexCorruptError,
    IndexNotFoundError,
    NoArticlesError,
    QuestionError,
    QuestionTooLongError,
    UnsupportedLanguageError,
)
from qa.pipeline import Pipeline, ask
from qa.settings import Settings

__all__ = [
    "ask", "Pipeline", "Settings", "Answer", "Citation", "Retrieved",
    "ArticlesQAError", "QuestionError", "EmptyQuestionError", "QuestionTooLongError",
    "UnsupportedLanguageError", "NoArticlesError", "IndexNotFoundError", "IndexCorruptError",
]
