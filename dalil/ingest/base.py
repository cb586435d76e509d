"""Reader interface and registry, in the alephdata/ingest-file style.

A reader is one small class per format.  It declares what it handles
(extensions, MIME types, a sniff of the first bytes) and turns a `Source`
into `ParsedDocument`s.  A *container* (zip, tar, mbox, a folder, a PST)
yields member `Source`s instead, which the pipeline reads recursively.
Adding a format is one new module that defines a class with `@register`.
"""
from __future__ import annotations

from typing import Iterator

from dalil.model import IngestError, ParsedDocument, Source

_REGISTRY: list[type["Reader"]] = []


class Reader:
    name: str = "base"
    extensions: tuple[str, ...] = ()
    mime_types: tuple[str, ...] = ()
    container: bool = False          # True: read() yields Sources, not documents
    priority: int = 0                # ties between readers that both match

    @classmethod
    def score(cls, source: Source) -> int:
        """How well this reader fits the source (0 = not at all).  Override to sniff content."""
        if source.suffix in cls.extensions:
            return 10 + cls.priority
        if source.content_type and source.content_type.split(";")[0].strip().lower() in cls.mime_types:
            return 8 + cls.priority
        return 0

    def read(self, source: Source) -> Iterator[ParsedDocument | Source]:
        raise NotImplementedError


def register(cls: type[Reader]) -> type[Reader]:
    if cls not in _REGISTRY:
        _REGISTRY.append(cls)
    return cls


def readers() -> list[type[Reader]]:
    _load_builtin()
    return list(_REGISTRY)


def ranked(source: Source) -> list[type[Reader]]:
    """Readers that claim the source, best first."""
    scored = []
    for cls in readers():
        try:
            s = cls.score(source)
        except Exception:        # a sniffing bug must not stop the ingest
            s = 0
        if s > 0:
            scored.append((s, cls))
    scored.sort(key=lambda x: -x[0])
    return [cls for _, cls in scored]


def pick(source: Source) -> type[Reader]:
    """The best reader for a source, or IngestError('unsupported_format')."""
    candidates = ranked(source)
    if not candidates:
        raise IngestError("unsupported_format", f"no reader for {source.basename!r}")
    return candidates[0]


def is_refusal(exc: IngestError) -> bool:
    """The reader says the input is not its format (a misleading name or type): try the next one."""
    return exc.code.startswith("not_") or exc.code == "unsupported_format"


_loaded = False


def _load_builtin() -> None:
    """Import every module of dalil.ingest so their @register decorators run."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    import importlib
    import pkgutil
    import dalil.ingest as pkg
    for mod in pkgutil.iter_modules(pkg.__path__):
        if mod.name not in ("base", "pipeline", "sources"):
            importlib.import_module(f"dalil.ingest.{mod.name}")
