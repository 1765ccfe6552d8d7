"""Run /sparql queries in worker processes, so a query over its time limit is killed.

pyoxigraph cannot cancel a running query, and a thread cannot be stopped: an aggregate over
a cross product would hold a core forever. Each worker process opens the store read-only
and answers one query at a time; the server waits for its answer asynchronously and, at the
deadline, kills the worker, starts a fresh one and answers 503.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from typing import Any

from kg.server.limits import Limits, ProtocolError


class QueryTimeout(Exception):
    pass


def _serve_queries(store_path: str, limits: Limits, conn: Any) -> None:
    """Worker process: answer (query, key, default graphs, named graphs) messages until EOF."""
    import pyoxigraph as ox

    from kg.server import sparql_protocol as sp

    store = ox.Store.read_only(store_path)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        query, key, default_graphs, named_graphs = message
        try:
            answer = sp.execute(store, query, limits, float("inf"), default_graphs, named_graphs)
            reply: tuple = ("ok", sp.serialise(answer, key), answer.truncated)
        except ProtocolError as exc:
            reply = ("error", exc.status, exc.code, exc.message)
        except Exception as exc:  # noqa: BLE001  (reported to the client as a 500)
            reply = ("error", 500, "internal-error", (str(exc).splitlines() or [type(exc).__name__])[0])
        conn.send(reply)


class _Worker:
    def __init__(self, context: Any, store_path: str, limits: Limits) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve_queries, args=(store_path, limits, child),
                                       name="painkg-sparql", daemon=True)
        self.process.start()
        child.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=2)
        self.conn.close()


class QueryPool:
    def __init__(self, store_path: str, limits: Limits) -> None:
        self.context = multiprocessing.get_context("spawn")
        self.store_path = str(store_path)
        self.limits = limits
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[_Worker] = set()

    def _start(self) -> _Worker:
        worker = _Worker(self.context, self.store_path, self.limits)
        self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        self._all.discard(worker)
        if self._idle is not None:
            self._idle.put_nowait(self._start())

    async def run(self, query: str, key: str, default_graphs: list[str], named_graphs: list[str]) -> tuple[bytes, bool]:
        """(payload, truncated); raises ProtocolError, or QueryTimeout at the time limit."""
        deadline = time.monotonic() + self.limits.timeout
        if self._idle is None:  # started on first use, in the serving event loop
            self._idle = asyncio.Queue()
            for _ in range(self.limits.workers):
                self._idle.put_nowait(self._start())
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout=self.limits.timeout)
        except TimeoutError:
            raise ProtocolError(503, "busy", "every query worker is busy; retry shortly") from None
        try:
            worker.conn.send((query, key, list(default_graphs), list(named_graphs)))
            reply = await self._receive(worker, deadline)
        except TimeoutError:
            self._replace(worker)
            raise QueryTimeout from None
        except (EOFError, OSError):
            self._replace(worker)
            raise ProtocolError(500, "worker-failed", "the query worker stopped; retry") from None
        except BaseException:  # cancelled (client gone): the worker may still be busy
            self._replace(worker)
            raise
        self._idle.put_nowait(worker)
        if reply[0] == "ok":
            return reply[1], reply[2]
        raise ProtocolError(reply[1], reply[2], reply[3])

    @staticmethod
    async def _receive(worker: _Worker, deadline: float) -> tuple:
        if not worker.conn.poll():
            loop = asyncio.get_running_loop()
            readable = loop.create_future()
            fd = worker.conn.fileno()
            loop.add_reader(fd, lambda: readable.done() or readable.set_result(None))
            try:
                await asyncio.wait_for(readable, timeout=max(0.0, deadline - time.monotonic()))
            finally:
                loop.remove_reader(fd)
        return worker.conn.recv()

    def close(self) -> None:
        for worker in list(self._all):
            worker.kill()
        self._all.clear()
