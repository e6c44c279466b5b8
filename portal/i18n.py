"""Bilingual reference data: a Chinese and an English field side by side, one helper to pick."""

from django.utils.translation import get_language


def is_english(language: str | None = None) -> bool:
    return (language or get_language() or "zh-hans").lower().startswith("en")


def pick(zh: str | None, en: str | None, *, english: bool) -> str:
    """The English text when English is asked for and it is not empty, else the Chinese one
    (the authoritative text)."""
    zh = zh or ""
    return (en or zh) if english else zh


def localized(obj: object, field: str, language: str | None = None) -> str:
    """Return ``obj.<field>_en`` when the active language is English, else ``obj.<field>_zh``.

    An English value left empty falls back to the Chinese one, which is the authoritative text.
    """
    english = is_english(language)
    return pick(
        getattr(obj, f"{field}_zh", ""),
        getattr(obj, f"{field}_en", "") if english else "",
        english=english,
    )


class BilingualNameMixin:
    """Adds ``.name`` for models with ``name_zh`` / ``name_en``."""

    @property
    def name(self) -> str:
        return localized(self, "name")

    def __str__(self) -> str:
        return self.name
