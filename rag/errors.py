"""Errors a user can act on. The CLI and UI print their message, never a traceback."""


class RagError(Exception):
    """Base class: the message says what went wrong and what to do."""


class ModelMissingError(RagError):
    pass


class ModelChecksumError(RagError):
    pass


class ModelFetchError(RagError):
    pass


class IndexStoreError(RagError):
    """The vector index is missing, damaged or was built differently."""


class DependencyError(RagError, ImportError):
    """A heavy optional library is not installed."""


class InvalidQuestionError(RagError, ValueError):
    """The question cannot be answered as typed (too long, unusable characters)."""


class EmptyQuestionError(InvalidQuestionError):
    pass


class GenerationError(RagError):
    """The language model (in this process or an LLM server) failed while answering."""


class PromptError(RagError, ValueError):
    """A prompt file is missing, or a template was rendered with the wrong values."""
