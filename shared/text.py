"""Marking user-facing text in code that does not run in a request (domain rules)."""


def N_(message: str) -> str:
    """Marks a message for extraction by pybabel; it is translated where it is shown."""
    return message
