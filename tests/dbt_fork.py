"""dbt processes forked from one that has imported dbt, for the test suite.

A test process starts hundreds of ``python -m saas_segments.dbt_steps`` processes, and
each spends about two seconds importing dbt before it parses anything. Here one server
process per test process imports dbt once and forks a child per command; the child runs
:func:`saas_segments.dbt_steps.main` with the command's working dir and environment and
writes to the caller's pipes, so the caller sees what ``subprocess.run`` would give it
(exit status, stdout, stderr). conftest.py installs :func:`run_process` in place of
:func:`saas_segments.project.run_process`: dbt commands started by tests in-process go
through it; commands started by the command-line tools the tests run in subprocesses
(a refresh, ``make build``, a Dagster run) start dbt as users do.

The server dies with the test process (it is started with a death signal, from a
thread that lives as long as the process), and each child with the server, so a
killed test process leaves no dbt process behind. A child is in its own process group,
as :func:`saas_segments.project.run_process` starts dbt.

usage (started by :func:`run_process`): python tests/dbt_fork.py FD
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from saas_segments import project

#: The command :func:`saas_segments.project.dbt_steps` starts; its last argument is the spec.
STEPS_COMMAND = [sys.executable, "-m", "saas_segments.dbt_steps"]
MESSAGE_BYTES = 1 << 20


@dataclass
class Server:
    """The fork server of one test process: its socket end and process."""

    owner: int
    socket: socket.socket
    process: subprocess.Popen[bytes]


_server: Server | None = None
_lock = threading.Lock()
#: How a dbt process starts when it is not forked (conftest.py replaces the project's).
ORIGINAL_RUN_PROCESS = project.run_process


def _start() -> Server:
    """Start a fork server from a thread that lives as long as this process (the server's
    death signal fires when the thread that started it ends)."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    started: queue.Queue[subprocess.Popen[bytes] | BaseException] = queue.Queue()
    parent = os.getpid()

    def run() -> None:
        try:
            process = subprocess.Popen(
                [sys.executable, str(Path(__file__).resolve()), str(theirs.fileno())],
                cwd=project.PROJECT_DIR,
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                process_group=0,
                preexec_fn=lambda: project.die_with_parent(parent),
            )
        except BaseException as error:  # handed to the caller
            started.put(error)
            return
        started.put(process)
        process.wait()

    threading.Thread(target=run, name="dbt-fork-server", daemon=True).start()
    process = started.get()
    theirs.close()
    if isinstance(process, BaseException):
        raise process
    return Server(os.getpid(), ours, process)


def _live_server() -> Server:
    """This process's fork server, started when there is none (or it is gone)."""
    global _server
    if _server is None or _server.owner != os.getpid() or _server.process.poll() is not None:
        _server = _start()
    return _server


def _read_all(*fds: int) -> list[bytes]:
    """Everything written to the pipes ``fds`` until each is closed."""
    chunks: dict[int, list[bytes]] = {fd: [] for fd in fds}
    with selectors.DefaultSelector() as selector:
        for fd in fds:
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map():
            for key, _ in selector.select():
                data = os.read(key.fd, 1 << 16)
                if data:
                    chunks[key.fd].append(data)
                else:
                    selector.unregister(key.fd)
    return [b"".join(chunks[fd]) for fd in fds]


def run_forked(command: Sequence[str], cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a ``saas_segments.dbt_steps`` command in a child of the fork server."""
    out_read, out_write = os.pipe()
    err_read, err_write = os.pipe()
    status_read, status_write = os.pipe()
    request = json.dumps({"argv": list(command[len(STEPS_COMMAND):]), "cwd": str(cwd), "env": dict(env)}).encode()
    try:
        with _lock:
            server = _live_server()
            socket.send_fds(server.socket, [request], [out_write, err_write, status_write])
            reply = server.socket.recv(64)
    finally:
        for fd in (out_write, err_write, status_write):
            os.close(fd)
    if not reply:
        for fd in (out_read, err_read, status_read):
            os.close(fd)
        raise RuntimeError(f"the dbt fork server exited ({server.process.poll()}); its error is on stderr")
    child = int(reply)
    try:
        stdout, stderr, status = _read_all(out_read, err_read, status_read)
    except BaseException:
        with contextlib.suppress(ProcessLookupError):  # it may have ended meanwhile
            os.killpg(child, signal.SIGKILL)
        raise
    finally:
        for fd in (out_read, err_read, status_read):
            os.close(fd)
    returncode = int(status) if status else -signal.SIGKILL  # no status: the child was killed
    return subprocess.CompletedProcess(
        list(command), returncode, stdout.decode(errors="replace"), stderr.decode(errors="replace")
    )


def run_process(command: list[str], cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """:func:`saas_segments.project.run_process`, with dbt_steps commands forked."""
    if command[: len(STEPS_COMMAND)] == STEPS_COMMAND and len(command) == len(STEPS_COMMAND) + 1:
        return run_forked(command, cwd, env)
    return ORIGINAL_RUN_PROCESS(command, cwd, env)


def _child(request: dict[str, object], fds: list[int], server: socket.socket) -> int:
    """In a forked child: become the dbt process the request describes and run it; its
    exit status, also written to the status pipe (the child then exits as a dbt process
    does, its exit handlers run)."""
    code = 1
    stdout, stderr, status = fds
    try:
        server.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setpgid(0, 0)
        project.die_with_parent(os.getppid())
        os.dup2(stdout, 1)
        os.dup2(stderr, 2)
        os.close(stdout)
        os.close(stderr)
        os.chdir(str(request["cwd"]))
        os.environ.clear()
        os.environ.update(request["env"])  # type: ignore[arg-type]
        time.tzset()
        from saas_segments.dbt_steps import main

        code = main(list(request["argv"]))  # type: ignore[arg-type]
    except SystemExit as exit:  # as the interpreter reads it: None is 0, a message 1
        code = 0 if exit.code is None else exit.code if isinstance(exit.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.write(status, str(code).encode())
    return code


def serve(fd: int) -> None:
    """Import dbt, then fork a child per request until the test process closes its end."""
    import saas_segments.dbt_steps  # noqa: F401 - dbt's import, paid once
    from dbt.adapters.duckdb import DuckDBAdapter  # noqa: F401
    from dbt.adapters.postgres import PostgresAdapter  # noqa: F401

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    server = socket.socket(fileno=fd)
    while True:
        message, fds, _, _ = socket.recv_fds(server, MESSAGE_BYTES, 3, socket.MSG_CMSG_CLOEXEC)
        if not message:
            return
        child = os.fork()
        if child == 0:
            sys.exit(_child(json.loads(message), fds, server))
        for received in fds:
            os.close(received)
        server.send(str(child).encode())


if __name__ == "__main__":
    serve(int(sys.argv[1]))
