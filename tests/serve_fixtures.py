"""Servers the HTTP tests start themselves: painkg under uvicorn on a free loopback port,
and tiny misbehaving listeners. Imported by test modules (not a conftest: other tests
never pay for them)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from kg.server.load import free_port


@contextmanager
def uvicorn_server(app, port: int | None = None) -> Iterator[str]:
    """Run ``app`` under a real uvicorn in a thread; yields the base URL."""
    import uvicorn

    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


class ConnectionRecorder:
    """A loopback TCP listener that records every connection it accepts."""

    def __init__(self, reply: bytes | None = None, hold: float = 0.0) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.reply, self.hold = reply, hold
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                try:
                    conn.settimeout(2)
                    conn.recv(65536)
                    if self.hold:
                        self._stop.wait(self.hold)
                    if self.reply:
                        conn.sendall(self.reply)
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


def html_reply() -> bytes:
    body = b"<html><body>Not a SPARQL endpoint</body></html>"
    return (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)


__all__ = ["BaseHTTPRequestHandler", "ConnectionRecorder", "ThreadingHTTPServer", "free_port", "html_reply", "uvicorn_server"]


# --- Virtuoso 7 (Debian package virtuoso-opensource) -------------------------------------------

VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = ., {dir}
NumberOfBuffers = 30000
MaxDirtyBuffers = 20000
ThreadsPerQuery = 2
MaxQueryMem = 500M
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 8
MaxClientConnections = 8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 0
"""


def virtuoso_missing() -> str | None:
    import shutil

    for tool in ("virtuoso-t", "isql-vt"):
        if shutil.which(tool) is None:
            return (f"{tool} not found: install Virtuoso 7 with `DEBIAN_FRONTEND=noninteractive apt-get install -y "
                    "virtuoso-opensource` (set PAINKG_REQUIRE_VIRTUOSO=1 to make this a failure)")
    return None


def _isql(sql_port: int, sql: str, timeout: float = 300) -> str:
    import subprocess

    done = subprocess.run(["isql-vt", f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={sql}"],
                          capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
        raise RuntimeError(f"isql-vt failed: {(done.stdout + done.stderr).strip()[-500:]}")
    return done.stdout


@contextmanager
def virtuoso_endpoint(workdir, nt_file) -> Iterator[str]:
    """Start virtuoso-t on loopback with its own database in ``workdir``, bulk-load ``nt_file``
    (N-Triples) into one graph, yield the /sparql URL, stop and discard it afterwards."""
    import subprocess

    workdir.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = workdir / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=workdir, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    log = open(workdir / "stdout.log", "wb")  # noqa: SIM115 (closed in finally)
    process = subprocess.Popen(["virtuoso-t", "+configfile", str(ini), "+foreground"],
                               cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited: {(workdir / 'virtuoso.log').read_text(errors='replace')[-800:]}")
            try:
                _isql(sql_port, "select 1;", timeout=10)
                break
            except (RuntimeError, subprocess.TimeoutExpired):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        _isql(sql_port, f"ld_dir('{nt_file.parent}', '{nt_file.name}', 'https://w3id.org/painkg/graph/all'); "
                        "rdf_loader_run(); checkpoint;")
        errors = _isql(sql_port, "select ll_file, ll_error from DB.DBA.load_list where ll_error is not null;")
        if nt_file.name in errors:
            raise RuntimeError(f"Virtuoso could not load {nt_file.name}: {errors[-500:]}")
        yield f"http://127.0.0.1:{http_port}/sparql"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
