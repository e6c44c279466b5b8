"""The child process: ``python -I portal/filecheck/__main__.py KIND LIMITS_JSON < file``.

It limits its own memory, CPU time, open files and file writes first, reads the upload from its
standard input, and prints the verdict as one line of JSON (``portal.filecheck.inspect``). Run
by path (the caller does), it loads this package without ``portal/__init__`` (Celery, Django):
the child starts in a fraction of a second and holds nothing of the project's configuration.
"""

from __future__ import annotations

import json
import sys


def limit_resources(*, memory: int, cpu_seconds: int) -> None:
    import resource

    for kind, value in (
        (resource.RLIMIT_AS, memory),
        (resource.RLIMIT_CPU, cpu_seconds),
        (resource.RLIMIT_FSIZE, 0),  # writes no file
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(kind, (value, value))


def main(argv: list[str]) -> int:
    from portal.filecheck import inspect

    kind, limits = argv[0], json.loads(argv[1])
    memory, cpu = limits.pop("memory", None), limits.pop("cpu_seconds", None)
    content = sys.stdin.buffer.read()
    if memory and cpu:
        limit_resources(memory=memory, cpu_seconds=cpu)
    try:
        verdict = inspect(kind, content, limits)
    except MemoryError:
        verdict = {"ok": False, "code": "too_complex", "params": {}}
    sys.stdout.write(json.dumps(verdict) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    if not __package__:  # run by path: make "portal" a bare package, without its __init__
        import types
        from pathlib import Path

        package = types.ModuleType("portal")
        package.__path__ = [str(Path(__file__).resolve().parent.parent)]
        sys.modules["portal"] = package
    sys.exit(main(sys.argv[1:]))
