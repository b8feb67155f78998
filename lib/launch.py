"""Start a data-parallel training script in several processes on this machine and read back what it measured.

:func:`run_distributed` runs ``python -m torch.distributed.run`` (``torchrun``) with a free TCP port on
127.0.0.1, waits for it with a timeout and returns the JSON the script's rank 0 wrote to the file named by its
``--out`` argument. Its errors say which rank failed and show the end of that rank's own error output, not the
launcher's. ``lib/ddp_example.py`` is such a script (``run_distributed("lib.ddp_example", nproc=2)``).

The pieces are separate functions so that they can be tested without starting processes: :func:`free_port`,
:func:`resolve_backend`, :func:`build_command`, :func:`launch_environment`, :func:`failure_message`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import torch

from lib._validate import check_int, check_number

__all__ = [
    "build_command",
    "failure_message",
    "free_port",
    "launch_environment",
    "resolve_backend",
    "run_distributed",
]

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
"""The folder that holds ``lib``: the processes start there, with it on ``PYTHONPATH``."""

_ROOT_CAUSE = re.compile(r"Root Cause.*?rank\s*:\s*(\d+)\s*\(local_rank:\s*(\d+)\)", re.DOTALL)
_RANK_PREFIX = re.compile(r"^\[(?:rank|default)\d+\]:\s?", re.MULTILINE)  # torch's per-rank prefix of lines
_PORT_CLASH = ("EADDRINUSE", "Address already in use", "address already in use")


def free_port(host: str = HOST) -> int:
    """A TCP port on ``host`` that no socket uses now: the operating system's pick for a bind to port 0.

    Another program could take it before torchrun binds it; :func:`run_distributed` then retries with a new one.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def resolve_backend(backend: str | None, nproc: int) -> str:
    """The process-group backend: ``backend``, or for ``None`` NCCL when CUDA has ``nproc`` GPUs, else gloo.

    Raises a ``RuntimeError`` when ``torch.distributed`` or the backend is unavailable in this torch build, and a
    ``ValueError`` naming ``backend`` or ``nproc`` when they are wrong.
    """
    if not torch.distributed.is_available():
        raise RuntimeError("torch.distributed is not available in this torch build, so nothing can run distributed")
    if backend is None:
        enough_gpus = torch.cuda.is_available() and torch.cuda.device_count() >= nproc
        backend = "nccl" if enough_gpus and torch.distributed.is_nccl_available() else "gloo"
    if backend not in ("gloo", "nccl"):
        raise ValueError(f"`backend` must be None, 'gloo' or 'nccl', got {backend!r}")
    if backend == "gloo" and not torch.distributed.is_gloo_available():
        raise RuntimeError("the gloo backend is not available in this torch build; try backend='nccl' on GPUs")
    if backend == "nccl":
        if not torch.distributed.is_nccl_available() or not torch.cuda.is_available():
            raise RuntimeError("the nccl backend needs CUDA and a torch build with NCCL; use backend='gloo' on CPUs")
        if torch.cuda.device_count() < nproc:
            raise ValueError(
                f"`nproc` must be at most the number of GPUs ({torch.cuda.device_count()}) with backend='nccl', "
                f"got {nproc}: NCCL needs one GPU per process"
            )
    return backend


def build_command(
    module: str, *, nproc: int, port: int, out: str | os.PathLike, log_dir: str | os.PathLike, args: Sequence = ()
) -> list[str]:
    """The torchrun command line: ``nproc`` copies of ``python -m module --out out *args`` on one machine, their
    standard streams redirected to files under ``log_dir`` (one folder per local rank)."""
    return [
        sys.executable, "-m", "torch.distributed.run",
        "--nproc_per_node", str(nproc), "--nnodes", "1",
        "--master_addr", HOST, "--master_port", str(port),
        "--log-dir", str(log_dir), "--redirects", "3", "--monitor-interval", "0.1",
        "-m", module, "--out", str(out), *map(str, args),
    ]  # fmt: skip


def launch_environment(base: dict | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with one thread per process (``OMP_NUM_THREADS=1``: the
    processes share the cores), no progress bars, and the course's folder first on ``PYTHONPATH``."""
    env = dict(os.environ if base is None else base)
    path = [str(ROOT), *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])]
    env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", COURSE_PROGRESS="0", PYTHONPATH=os.pathsep.join(path))
    return env


def _rank_logs(log_dir: Path) -> dict[int, str]:
    """``{local_rank: the text of its stderr.log}`` under a torchrun ``--log-dir`` (``.../attempt_0/<rank>/``)."""
    logs = {}
    for path in sorted(Path(log_dir).glob("**/attempt_*/*/stderr.log")):
        with contextlib.suppress(ValueError, OSError):
            logs[int(path.parent.name)] = path.read_text(errors="replace")
    return logs


def _tail(text: str, lines: int) -> str:
    """From the last ``Traceback`` on (at most ``lines`` lines, the last ones), else the last ``lines`` lines;
    without torch's ``[rank1]:`` line prefixes."""
    text = _RANK_PREFIX.sub("", text)
    start = text.rfind("Traceback (most recent call last)")
    kept = (text[start:] if start >= 0 else text).strip().splitlines()
    return "\n".join(kept[-lines:])


def failure_message(returncode: int, launcher_output: str, rank_logs: dict[int, str], *, lines: int = 15) -> str:
    """What went wrong, for a person: which rank failed first (torchrun's "Root Cause" section; else the first rank
    whose log holds a traceback) and the tail of that rank's error output; the launcher's tail if no rank has one."""
    match = _ROOT_CAUSE.search(launcher_output)
    if match and int(match.group(2)) in rank_logs:
        failing = int(match.group(2))
    else:
        failing = next((r for r, text in sorted(rank_logs.items()) if "Traceback" in text), None)
    if failing is None:
        return f"torchrun exited with code {returncode}; the end of its output:\n{_tail(launcher_output, lines)}"
    tail = _tail(rank_logs[failing], lines)
    return f"rank {failing} failed (torchrun exited with code {returncode}); its error:\n{tail}"


def _run_once(command: list[str], env: dict, timeout: float) -> tuple[int, str]:
    """Run ``command`` in its own process group; on timeout kill the whole group and raise."""
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            if hasattr(os, "killpg"):
                os.killpg(process.pid, signal.SIGKILL)  # torchrun and every worker: they share its session
            else:  # Windows: no process groups to kill at once
                process.kill()
        process.communicate()
        raise RuntimeError(
            f"the distributed run did not finish within timeout={timeout} s and was killed with its process group "
            "(a rank waiting forever in a collective, or too little time for this machine)"
        ) from None
    return process.returncode, output


def run_distributed(
    module: str, *, nproc: int = 2, args: Sequence = (), timeout: float = 120.0, backend: str | None = None
) -> dict:
    """Run ``python -m module --out FILE *args`` in ``nproc`` processes with ``torchrun`` and return the JSON
    object the module's rank 0 wrote to ``FILE``.

    The processes run on this machine (``--master_addr 127.0.0.1`` and a free port), one thread each, from the
    course's folder with it on ``PYTHONPATH``. ``backend`` (``None``: NCCL when there are ``nproc`` GPUs, else
    gloo) is passed to the module as ``--backend`` when given, and checked first. A rank that fails stops the run:
    a ``RuntimeError`` names it and shows the end of its traceback. After ``timeout`` seconds every process is
    killed and a ``RuntimeError`` says so. A port taken between the choice and torchrun's bind is retried twice.
    ``nproc`` is at least 1 and at most the number of CPUs (or 8 on smaller machines).

    Bad input is refused with a ``ValueError`` naming the argument: ``module`` must be a dotted module name,
    ``nproc`` an int in range, ``timeout`` a positive number of seconds, ``args`` a sequence (not a string).
    """
    if not isinstance(module, str) or not re.fullmatch(r"[A-Za-z_][\w.]*", module):
        raise ValueError(f"`module` must be a dotted module name such as 'lib.ddp_example', got {module!r}")
    nproc = check_int("nproc", nproc, low=1, high=max(os.cpu_count() or 1, 8))
    timeout = check_number("timeout", timeout, low=0.0, low_open=True)
    if isinstance(args, (str, bytes)) or not isinstance(args, Sequence):
        raise ValueError(f"`args` must be a sequence of command-line arguments, got {args!r}")
    chosen = resolve_backend(backend, nproc)
    extra = [*args, "--backend", chosen] if backend is not None else list(args)
    with tempfile.TemporaryDirectory(prefix="course-ddp-") as folder:
        out = Path(folder) / "result.json"
        for attempt in range(3):
            log_dir = Path(folder) / f"logs{attempt}"
            command = build_command(module, nproc=nproc, port=free_port(), out=out, log_dir=log_dir, args=extra)
            returncode, output = _run_once(command, launch_environment(), timeout)
            logs = _rank_logs(log_dir)
            clash = any(word in text for text in [output, *logs.values()] for word in _PORT_CLASH)
            if returncode == 0 or not clash:
                break
        if returncode != 0:
            raise RuntimeError(failure_message(returncode, output, logs))
        if not out.exists():
            raise RuntimeError(f"`module` {module!r} finished but its rank 0 wrote nothing to --out {out}")
        return json.loads(out.read_text())
