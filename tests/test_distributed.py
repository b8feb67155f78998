"""lib.train.fit under torch.distributed (lib/train/distributed.py, the DDP paths of fit.py and loop.py) and the
launcher lib.launch with its example script lib/ddp_example.py.

Two kinds of tests. In this process, a gloo process group of one rank (a FileStore in a temporary folder) runs
fit's distributed code paths: the DDP-wrapped model, ``no_sync`` during accumulation, the all-reduce helpers, the
``DistributedSampler`` epochs, the progress bar on rank 0 only; and the launcher's pieces run without starting
torch (port picking, the command, the environment, the error message, the timeout, the retry on a taken port).
Then two real launches of two gloo processes (each costs about 3 torch imports, so there are only two): one
whose JSON holds every numerical check, one whose rank 1 raises.
"""

import json
import math
import socket
import sys
import time
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

from lib import ddp_example, launch, optim, train
from lib.train import distributed

mse = torch.nn.functional.mse_loss


def _mlp(seed=0, dtype=torch.float64):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)).to(dtype)


def _regression(n=24, seed=0, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 3, generator=g, dtype=dtype)
    return X, X.sum(dim=1, keepdim=True).sin()


def _params(model):
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


@pytest.fixture
def group(tmp_path):
    """A gloo process group of world size 1 in this process, destroyed after the test (other tests need none)."""
    store = dist.FileStore(str(tmp_path / "store"), 1)
    dist.init_process_group("gloo", store=store, rank=0, world_size=1)
    yield
    dist.destroy_process_group()


def _counting_hook(calls: list):
    """A DDP communication hook that all-reduces as DDP does and appends to ``calls`` each time it runs."""

    def hook(state, bucket):
        calls.append(1)
        buffer = bucket.buffer().div_(dist.get_world_size())
        dist.all_reduce(buffer)
        future = torch.futures.Future()
        future.set_result(buffer)
        return future

    return hook


# --- the helpers, with and without a process group ------------------------------------------------------------


def test_without_a_process_group_the_helpers_answer_as_one_process():
    assert not distributed.is_distributed()
    assert (distributed.rank(), distributed.world_size()) == (0, 1)
    assert distributed.all_reduce_sum([1.5, 2]) == [1.5, 2.0]
    assert distributed.weighted_mean({"loss": 6.0, "acc": 3.0}, 4) == ({"loss": 1.5, "acc": 0.75}, 4.0)
    means, count = distributed.weighted_mean({"loss": 0.0}, 0)
    assert count == 0 and math.isnan(means["loss"])
    assert not distributed.is_ddp(_mlp())


def test_in_a_process_group_the_helpers_use_it_and_a_ddp_model_is_recognised(group):
    assert distributed.is_distributed() and (distributed.rank(), distributed.world_size()) == (0, 1)
    assert distributed.all_reduce_sum([1.5, -2.0, 1e300]) == [1.5, -2.0, 1e300]  # float64 all the way
    assert distributed.weighted_mean({"loss": 6.0}, 4) == ({"loss": 1.5}, 4.0)
    assert distributed.is_ddp(DistributedDataParallel(_mlp()))


def test_set_sampler_epoch_reaches_a_distributed_sampler_and_ignores_other_loaders():
    dataset = TensorDataset(*_regression(8))
    sampler = DistributedSampler(dataset, num_replicas=2, rank=1, shuffle=True, seed=3)  # no group needed
    distributed.set_sampler_epoch(DataLoader(dataset, sampler=sampler), 5)
    assert sampler.epoch == 5
    distributed.set_sampler_epoch([(torch.zeros(1), torch.zeros(1))], 5)  # a list has no sampler: nothing happens


# --- fit with a DDP model in a group of one: the code paths, cheaply --------------------------------------------


def test_ddp_with_accumulation_all_reduces_once_per_update_and_trains_as_the_plain_model(group):
    X, y = _regression(24)
    loader = train.make_loader(X, y, batch_size=4)  # 6 micro-batches per epoch
    plain, wrapped = _mlp(), _mlp()
    ddp = DistributedDataParallel(wrapped)
    calls = []
    ddp.register_comm_hook(None, _counting_hook(calls))
    h_plain = train.fit(plain, mse, optim.Adam(plain.parameters(), lr=0.01), loader, num_epochs=2, accumulation_steps=4)
    h_ddp = train.fit(ddp, mse, optim.Adam(ddp.parameters(), lr=0.01), loader, num_epochs=2, accumulation_steps=4)
    assert len(calls) == 2 * 2  # groups of 4 + 2 micro-batches: 2 updates an epoch, the other 4 micro-batches no_sync
    torch.testing.assert_close(_params(wrapped), _params(plain), atol=1e-12, rtol=0)
    assert h_ddp["step_loss"] == pytest.approx(h_plain["step_loss"], rel=1e-12)
    assert h_ddp["train_loss"] == pytest.approx(h_plain["train_loss"], rel=1e-12)


def test_fit_sets_the_distributed_samplers_epoch_before_every_epoch_and_validates_through_the_group(group):
    X, y = _regression(12)
    dataset = TensorDataset(X, y)
    epochs_seen = []

    class RecordingSampler(DistributedSampler):
        def set_epoch(self, epoch):
            epochs_seen.append(epoch)
            super().set_epoch(epoch)

    loader = DataLoader(dataset, batch_size=4, sampler=RecordingSampler(dataset, shuffle=True, seed=0))
    model = DistributedDataParallel(_mlp())
    val = DataLoader(dataset, batch_size=5)
    history = train.fit(model, mse, torch.optim.SGD(model.parameters(), lr=0.1), loader, num_epochs=3, val_loader=val)
    assert epochs_seen == [0, 1, 2]
    with torch.no_grad():
        assert history["val_loss"][-1] == pytest.approx(mse(model(X), y).item(), rel=1e-12)


def test_only_rank_0_shows_a_progress_bar(monkeypatch, capsys):
    monkeypatch.delenv("COURSE_PROGRESS", raising=False)
    X, y = _regression(4)
    model = _mlp()
    fit_module = sys.modules["lib.train.fit"]  # (the name lib.train.fit is the function)
    monkeypatch.setattr(fit_module, "rank", lambda: 1)
    train.fit(model, mse, torch.optim.SGD(model.parameters(), lr=0.1), [(X, y)], num_epochs=2)
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(fit_module, "rank", lambda: 0)
    train.fit(model, mse, torch.optim.SGD(model.parameters(), lr=0.1), [(X, y)], num_epochs=2)
    assert "epoch/s" in capsys.readouterr().err


def test_an_empty_validation_share_on_every_rank_is_refused_after_the_all_reduce(group):
    model = DistributedDataParallel(_mlp())
    X, y = _regression(4)
    with pytest.raises(ValueError, match="`val_loader` must yield at least one batch"):
        train.fit(model, mse, torch.optim.SGD(model.parameters(), lr=0.1), [(X, y)], num_epochs=1, val_loader=[])


def test_a_non_finite_loss_under_a_group_raises_with_the_reduced_loss(group):
    X, y = _regression(8)
    y[5] = float("nan")
    model = DistributedDataParallel(_mlp())
    with pytest.raises(train.NonFiniteLossError, match="became nan at epoch 0, step 1"):
        train.fit(model, mse, torch.optim.SGD(model.parameters(), lr=0.1), train.make_loader(X, y, batch_size=4),
                  num_epochs=1)  # fmt: skip


def _world_of_one(monkeypatch):
    """The environment torchrun gives a process, for a world of one in this process."""
    for name, value in dict(RANK="0", LOCAL_RANK="0", WORLD_SIZE="1", MASTER_ADDR=launch.HOST).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MASTER_PORT", str(launch.free_port()))


def test_the_example_script_runs_in_this_process_as_a_world_of_one_and_writes_its_json(monkeypatch, tmp_path):
    _world_of_one(monkeypatch)
    out = tmp_path / "result.json"
    args = ["--out", str(out), "--epochs", "2", "--n-samples", "20", "--accumulation-steps", "1", "2", "--compare"]
    ddp_example.main(args)
    assert not dist.is_initialized()  # the script leaves no process group behind
    result = json.loads(out.read_text())
    assert result["world_size"] == 1 and [run["accumulation_steps"] for run in result["runs"]] == [1, 2]
    assert result["history"] == result["runs"][0]["history"] and result["config"]["epochs"] == 2
    for run in result["runs"]:
        # 20 samples in batches of 8: 3 batches an epoch, 3 updates, or 2 in groups of 2 (the last group of one)
        assert run["allreduce_calls"] == run["num_updates"] == {1: 6, 2: 4}[run["accumulation_steps"]]
        assert run["compare"]["max_param_diff"] < 1e-12 and run["histories_identical"]


def test_the_example_scripts_failing_rank_raises_and_leaves_no_process_group(monkeypatch, tmp_path):
    _world_of_one(monkeypatch)
    with pytest.raises(RuntimeError, match="rank 0 fails on purpose"):
        ddp_example.main(["--out", str(tmp_path / "r.json"), "--fail-rank", "0"])
    assert not dist.is_initialized() and not (tmp_path / "r.json").exists()


# --- the launcher's pieces, without starting torch ------------------------------------------------------------


def test_free_port_is_a_port_that_can_be_bound_and_not_one_that_is_taken():
    with socket.socket() as taken:
        taken.bind((launch.HOST, 0))
        taken.listen()
        port = launch.free_port()
        assert port != taken.getsockname()[1]
    with socket.socket() as probe:
        probe.bind((launch.HOST, port))


def test_the_command_is_torchrun_on_one_machine_with_the_module_its_out_file_and_arguments(tmp_path):
    command = launch.build_command("lib.ddp_example", nproc=3, port=1234, out=tmp_path / "r.json",
                                   log_dir=tmp_path, args=["--epochs", 2])  # fmt: skip
    assert command[:3] == [sys.executable, "-m", "torch.distributed.run"]
    text = " ".join(command)
    assert "--nproc_per_node 3" in text and "--master_addr 127.0.0.1 --master_port 1234" in text
    assert text.endswith(f"-m lib.ddp_example --out {tmp_path / 'r.json'} --epochs 2")


def test_the_environment_gives_one_thread_per_process_and_puts_the_course_first_on_the_path():
    env = launch.launch_environment({"PYTHONPATH": "/elsewhere", "OMP_NUM_THREADS": "8", "HOME": "/h"})
    assert env["OMP_NUM_THREADS"] == "1" and env["HOME"] == "/h" and env["COURSE_PROGRESS"] == "0"
    assert env["PYTHONPATH"].split(":") == [str(launch.ROOT), "/elsewhere"]
    assert (Path(env["PYTHONPATH"].split(":")[0]) / "lib" / "launch.py").exists()


TORCHRUN_OUTPUT = """[W] some launcher warning
torch.distributed.elastic.multiprocessing.errors.ChildFailedError:
Root Cause (first observed failure):
[0]:
  time      : 2026-11-30_00:37:36
  rank      : 1 (local_rank: 1)
  exitcode  : 1 (pid: 26021)
"""


def test_the_failure_message_names_the_root_cause_rank_and_shows_its_own_traceback_only():
    logs = {
        0: "[rank0]: Traceback (most recent call last):\n[rank0]: RuntimeError: Connection closed by peer",
        1: "[rank1]: warming up\n[rank1]: Traceback (most recent call last):\n[rank1]:   File 'x.py'\n"
        "[rank1]: ValueError: the real cause",
    }
    message = launch.failure_message(1, TORCHRUN_OUTPUT, logs)
    assert message.startswith("rank 1 failed (torchrun exited with code 1)")
    assert message.endswith("Traceback (most recent call last):\n  File 'x.py'\nValueError: the real cause")
    assert "Connection closed" not in message and "ChildFailedError" not in message


def test_without_a_root_cause_the_first_rank_with_a_traceback_is_shown_else_the_launchers_tail():
    logs = {0: "all fine", 1: "Traceback (most recent call last):\nKeyError: 'x'"}
    assert launch.failure_message(1, "no summary", logs).startswith("rank 1 failed")
    message = launch.failure_message(2, "line\n" * 40 + "EADDRINUSE", {}, lines=3)
    assert message == "torchrun exited with code 2; the end of its output:\nline\nline\nEADDRINUSE"


def test_a_run_past_its_timeout_is_killed_with_its_children_and_says_so():
    script = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']);" \
             "time.sleep(60)"  # fmt: skip
    start = time.perf_counter()
    with pytest.raises(RuntimeError, match="did not finish within timeout=0.5 s and was killed"):
        launch._run_once([sys.executable, "-c", script], launch.launch_environment(), 0.5)
    assert time.perf_counter() - start < 10


def test_a_port_taken_before_torchrun_binds_it_is_retried_with_another(monkeypatch):
    ports, outputs = iter([1111, 2222]), iter([(1, "name: EADDRINUSE, message: address already in use"), (0, "")])

    def fake_run(command, env, timeout):
        assert command[command.index("--master_port") + 1] == str(seen[-1])
        Path(command[command.index("--out") + 1]).write_text(json.dumps({"port": seen[-1]}))
        return next(outputs)

    seen = []
    monkeypatch.setattr(launch, "free_port", lambda: seen.append(next(ports)) or seen[-1])
    monkeypatch.setattr(launch, "_run_once", fake_run)
    assert launch.run_distributed("lib.ddp_example", nproc=2) == {"port": 2222}


def test_an_unavailable_distributed_package_or_backend_is_a_clear_runtime_error(monkeypatch):
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="the nccl backend needs CUDA"):
            launch.resolve_backend("nccl", 1)
        assert launch.resolve_backend(None, 2) == "gloo"
    monkeypatch.setattr(torch.distributed, "is_gloo_available", lambda: False)
    with pytest.raises(RuntimeError, match="the gloo backend is not available"):
        launch.resolve_backend("gloo", 2)
    monkeypatch.setattr(torch.distributed, "is_available", lambda: False)
    with pytest.raises(RuntimeError, match="torch.distributed is not available"):
        launch.run_distributed("lib.ddp_example")


# --- two real launches of two gloo processes ----------------------------------------------------------------


@pytest.fixture(scope="module")
def two_ranks():
    """lib.ddp_example in 2 processes with lib.optim.Adam, float64, without and with accumulation, compared with one
    process; the first port the launcher tries is one that this test holds, so torchrun's bind fails and the
    launcher must retry with another."""
    with socket.socket() as taken:
        taken.bind((launch.HOST, 0))
        taken.listen()
        ports = iter([taken.getsockname()[1]])
        real_free_port = launch.free_port
        launch.free_port = lambda: next(ports, None) or real_free_port()
        try:
            args = ["--optimizer", "adam", "--lr", "0.05", "--accumulation-steps", "1", "3", "--epochs", "3",
                    "--n-samples", "60", "--batch-size", "4", "--patience", "1", "--compare"]  # fmt: skip
            return launch.run_distributed("lib.ddp_example", nproc=2, args=args, timeout=120)
        finally:
            launch.free_port = real_free_port


def test_two_processes_train_the_parameters_of_one_process_on_the_concatenated_batch(two_ranks):
    # 60 samples, 30 per rank, micro-batches of 4: 8 updates an epoch without accumulation (the last of 2 samples
    # per rank), 3 with groups of 3 (12, 12, 6 samples per rank): the uneven last update is included.
    assert two_ranks["world_size"] == 2 and two_ranks["backend"] == "gloo"
    for run in two_ranks["runs"]:
        compare = run["compare"]
        assert compare["same_number_of_updates"]
        assert compare["max_param_diff"] < 1e-6, run["accumulation_steps"]
        assert max(compare["max_history_diff"].values()) < 1e-6  # the all-reduced losses are those of one process
        assert run["params_identical"]


def test_every_rank_records_the_same_history_and_early_stopping_stops_them_alike(two_ranks):
    for run in two_ranks["runs"]:
        assert run["histories_identical"]
        assert len(run["history"]["val_loss"]) == len(run["compare"]["history"]["val_loss"])


def test_accumulation_all_reduces_gradients_once_per_update(two_ranks):
    plain, accumulated = two_ranks["runs"]
    for run in (plain, accumulated):
        assert run["allreduce_calls"] == run["num_updates"]
    assert accumulated["num_updates"] < plain["num_updates"]
    assert 0 < plain["allreduce_share"] < 1 and plain["time_per_step_s"] > 0


def test_a_rank_that_raises_stops_the_run_with_its_error_instead_of_hanging():
    # every collective would wait 600 s for the missing rank; the run must end long before, by the failure itself
    start = time.perf_counter()
    with pytest.raises(RuntimeError) as caught:
        launch.run_distributed("lib.ddp_example", nproc=2, args=["--fail-rank", "1", "--timeout", "600"], timeout=90)
    message = str(caught.value)
    assert message.startswith("rank 1 failed") and "did not finish" not in message
    assert message.endswith("RuntimeError: rank 1 fails on purpose (--fail-rank 1)")
    assert "ChildFailedError" not in message and time.perf_counter() - start < 90
