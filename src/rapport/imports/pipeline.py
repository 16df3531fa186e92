"""Read and check the next chunk in a worker process while the main process writes this one.

Parsing a phone number costs ~20 µs, an e-mail ~5 µs, a CSV row a few: for a million rows that is a minute
of CPU that need not sit in front of the database writes. The worker is forked (it inherits the settings,
the plan and the translations, and touches no database connection), reads the file itself and hands over
checked chunks through a queue of two, so memory stays flat whatever the file size. Where fork is not
available, or the file is small, the same generator runs in the main process.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from rapport.imports.rows import Chunk, Plan, chunked
from rapport.imports.sources import SourceError

RowsOpener = Callable[[], AbstractContextManager[Iterable[tuple[int, list[Any]]]]]
PARALLEL_FROM_BYTES = 4 * 1024 * 1024  # below this a worker costs more to start than it saves
_POLL_SECONDS = 1.0


@dataclass
class _Failure:
    message: str
    line: int | None
    source_error: bool


def _produce(open_rows: RowsOpener, plan: Plan, size: int, skip: int, first_number: int) -> Iterator[Chunk]:
    with open_rows() as rows:
        yield from chunked(plan, rows, size=size, skip=skip, first_number=first_number)


def _work(open_rows: RowsOpener, plan: Plan, size: int, skip: int, first_number: int, out: Any) -> None:
    try:
        for chunk in _produce(open_rows, plan, size, skip, first_number):
            out.put(chunk)
        out.put(None)
    except SourceError as exc:
        out.put(_Failure(str(exc), exc.line, True))
    except BaseException as exc:  # reported to the main process, which fails the batch with the reason
        out.put(_Failure(f"{type(exc).__name__}: {exc}", None, False))


def fork_available() -> bool:
    return sys.platform != "win32" and "fork" in multiprocessing.get_all_start_methods()


def checked_chunks(open_rows: RowsOpener, plan: Plan, *, size: int, skip: int = 0, first_number: int = 1,
                   parallel: bool = False) -> Iterator[Chunk]:
    """The file's rows, checked and chunked; in a worker process when ``parallel``."""
    if not (parallel and fork_available()):
        yield from _produce(open_rows, plan, size, skip, first_number)
        return
    context = multiprocessing.get_context("fork")
    out = context.Queue(maxsize=2)
    worker = context.Process(target=_work, args=(open_rows, plan, size, skip, first_number, out),
                             name="rapport-import-reader", daemon=True)
    worker.start()
    # Unpickling a chunk costs the main process ~15 µs a row. A thread takes the chunks off the queue, so
    # that this happens while the main thread waits for the database (sqlite3 and psycopg release the GIL
    # while the database works).
    ready: queue_module.Queue[Any] = queue_module.Queue(maxsize=1)
    stop = threading.Event()
    receiver = threading.Thread(target=_receive, args=(out, worker, ready, stop), name="rapport-import-receiver",
                                daemon=True)
    receiver.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, _Failure):
                if item.source_error:
                    raise SourceError(item.message, line=item.line)
                raise RuntimeError(item.message)
            yield item
    finally:
        stop.set()
        if worker.is_alive():
            worker.terminate()
        worker.join(timeout=5)
        receiver.join(timeout=5)
        out.close()


def _receive(out: Any, worker: Any, ready: queue_module.Queue[Any], stop: threading.Event) -> None:
    def hand_over(item: Any) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=_POLL_SECONDS)
                return True
            except queue_module.Full:
                continue
        return False

    while not stop.is_set():
        try:
            item = out.get(timeout=_POLL_SECONDS)
        except queue_module.Empty:
            if not worker.is_alive():
                hand_over(_Failure("the import's reader process stopped unexpectedly", None, False))
                return
            continue
        except (EOFError, OSError):
            hand_over(_Failure("the import's reader process stopped unexpectedly", None, False))
            return
        if not hand_over(item) or item is None or isinstance(item, _Failure):
            return
