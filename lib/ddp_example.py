"""A complete data-parallel training run with :func:`lib.train.fit`, small enough to start from a notebook.

Run it with ``lib.launch.run_distributed("lib.ddp_example", nproc=2, args=[...])`` or with torchrun::

    torchrun --nproc_per_node 2 -m lib.ddp_example --out result.json --epochs 2 --compare

Every process joins a process group (gloo on the CPU, NCCL on GPUs; every collective times out after
``--timeout`` seconds), builds the same regression data from :func:`lib.data.make_linear_data` (seed 0) and the same
small MLP (seed 1), wraps it in ``DistributedDataParallel``, and trains it with :func:`lib.train.fit` on its share
of the data (a ``DataLoader`` with a ``DistributedSampler``, shuffled with seed 2). The gradient all-reduce is
timed by a DDP communication hook that does what DDP's default does (divide each gradient bucket by the world
size and all-reduce it), synchronously, so its wall time is measured exactly; on this small model all gradients
fit in one bucket, so there is no overlap with the backward pass to lose.

Rank 0 writes one JSON object to ``--out`` (see :func:`main` for the keys). With ``--compare`` rank 0 then also
trains the same model in one process on the concatenated batches (every update's samples of all ranks in one
batch of ``world_size * batch_size * accumulation_steps``) and records the largest differences. Keep
``--n-samples`` and ``--n-val`` multiples of the world size: otherwise ``DistributedSampler`` repeats a few samples
to give every rank as many, and the runs are no longer the same.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import time

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

from lib import data, optim, train

__all__ = ["main", "parse_args"]

DTYPES = {"float64": torch.float64, "float32": torch.float32}
AMP = {"none": None, "bf16": torch.bfloat16, "fp16": torch.float16}
OPTIMIZERS = {
    ("lib", "sgd"): optim.SGD, ("lib", "adam"): optim.Adam,
    ("torch", "sgd"): torch.optim.SGD, ("torch", "adam"): torch.optim.Adam,
}  # fmt: skip


def parse_args(argv=None) -> argparse.Namespace:
    """The command-line options (``python -m lib.ddp_example --help`` lists them); ``argv`` defaults to sys.argv."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="JSON file that rank 0 writes")
    parser.add_argument("--backend", choices=["gloo", "nccl"], default=None, help="default: nccl with a GPU per rank")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a collective gives up")
    parser.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd")
    parser.add_argument("--impl", choices=["lib", "torch"], default="lib", help="lib.optim or torch.optim")
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--batch-size", type=int, default=8, help="samples per rank per micro-batch")
    parser.add_argument(
        "--accumulation-steps", type=int, nargs="+", default=[1], help="one run per value (the first is the main one)"
    )
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--n-samples", type=int, default=64, help="training samples (all ranks together)")
    parser.add_argument("--n-val", type=int, default=32, help="validation samples (all ranks together)")
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--dtype", choices=list(DTYPES), default="float64")
    parser.add_argument("--amp", choices=list(AMP), default="none", help="autocast dtype (needs --dtype float32)")
    parser.add_argument("--patience", type=int, default=0, help="early stopping's patience (0: none)")
    parser.add_argument("--compare", action="store_true", help="also train in one process on rank 0 and compare")
    parser.add_argument("--fail-rank", type=int, default=-1, help="this rank raises an error after joining")
    return parser.parse_args(argv)


def make_problem(args, dtype):
    """The same data and the same initial model in every process."""
    generator = torch.Generator().manual_seed(0)
    n = args.n_samples + args.n_val
    d = data.make_linear_data(n, n_features=4, noise_std=0.1, generator=generator, dtype=dtype)
    y = torch.tanh(d.y).unsqueeze(1)  # a non-linear target, so the hidden layer matters
    train_set = TensorDataset(d.X[: args.n_samples], y[: args.n_samples])
    val_set = TensorDataset(d.X[args.n_samples :], y[args.n_samples :])
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(4, args.hidden), torch.nn.Tanh(), torch.nn.Linear(args.hidden, 1))
    return train_set, val_set, model.to(dtype)


def timed_allreduce_hook(state: dict, bucket):
    """DDP's default communication (average the bucket over ranks), done synchronously and timed into ``state``."""
    buffer = bucket.buffer()
    if buffer.is_cuda:
        torch.cuda.synchronize(buffer.device)
    start = time.perf_counter()
    buffer.div_(dist.get_world_size())
    dist.all_reduce(buffer)
    if buffer.is_cuda:
        torch.cuda.synchronize(buffer.device)
    state["seconds"] += time.perf_counter() - start
    state["calls"] += 1
    future = torch.futures.Future()
    future.set_result(buffer)
    return future


class ConcatenatedBatches:
    """The batches one process sees when each update takes the samples of every rank's update in one batch:
    the ``DistributedSampler`` order of every rank, epoch by epoch, cut in slices of ``per_update`` per rank."""

    def __init__(self, dataset, world_size: int, per_update: int, seed: int):
        self.dataset, self.per_update, self.epoch = dataset, per_update, 0
        self.samplers = [DistributedSampler(dataset, world_size, r, shuffle=True, seed=seed) for r in range(world_size)]

    def __iter__(self):
        orders = []
        for sampler in self.samplers:
            sampler.set_epoch(self.epoch)
            orders.append(list(sampler))
        self.epoch += 1
        for start in range(0, len(orders[0]), self.per_update):
            index = torch.tensor([i for order in orders for i in order[start : start + self.per_update]])
            yield self.dataset.tensors[0][index], self.dataset.tensors[1][index]


def _optimizer(args, params):
    return OPTIMIZERS[args.impl, args.optimizer](params, lr=args.lr)


def _flat(model) -> torch.Tensor:
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()]).cpu()


def _fit(args, model, loader, val_loader, device):
    stopper = train.EarlyStopping(patience=args.patience) if args.patience else None
    return train.fit(
        model, torch.nn.functional.mse_loss, _optimizer(args, model.parameters()), loader, num_epochs=args.epochs,
        val_loader=val_loader, accumulation_steps=args.accumulation_steps, early_stopping=stopper, device=device,
        amp_dtype=AMP[args.amp], progress=False,
    )  # fmt: skip


def compare(args, ddp_params: list, history: dict, world_size: int, device) -> dict:
    """Train the same model in this one process on the concatenated batches; the largest differences."""
    train_set, val_set, model = make_problem(args, DTYPES[args.dtype])
    model = model.to(device)
    ddp_params = torch.tensor(ddp_params, dtype=DTYPES[args.dtype])
    per_update = args.batch_size * args.accumulation_steps
    loader = ConcatenatedBatches(train_set, world_size, per_update, seed=2)
    val_loader = [val_set.tensors]
    single = _fit(argparse.Namespace(**{**vars(args), "accumulation_steps": 1}), model, loader, val_loader, device)
    return {
        "max_param_diff": (_flat(model) - ddp_params).abs().max().item(),
        "max_history_diff": {
            key: max((abs(a - b) for a, b in zip(single[key], history[key])), default=0.0)
            for key in ("train_loss", "val_loss", "step_loss", "step_grad_norm")
        },
        "same_number_of_updates": len(single["step_loss"]) == len(history["step_loss"]),
        "history": single,
    }


def main(argv=None) -> dict | None:
    """Train and, on rank 0, write and return the JSON object.

    One run per value of ``--accumulation-steps``, each from the same initial model; ``runs`` lists them and the
    first one's keys are also at the top level. The keys of a run: ``accumulation_steps``, ``history`` (rank 0's
    ``fit`` history), ``histories_identical`` (every rank recorded exactly the same history), ``params`` (the final
    parameters as one flat list), ``checksum`` (their sum), ``params_identical`` (on every rank), ``num_updates``,
    ``seconds`` (wall time of ``fit``), ``time_per_step_s`` (that over ``num_updates``; it includes the per-epoch
    validation), ``allreduce_s`` and ``allreduce_calls`` (the timed gradient all-reduces), ``allreduce_share``
    (``allreduce_s / seconds``) and, with ``--compare``, ``compare`` (``max_param_diff``, ``max_history_diff`` per
    history key, ``same_number_of_updates``, the single process's ``history``). Besides: ``world_size``,
    ``backend``, ``device``, ``config`` (the arguments)."""
    args = parse_args(argv)
    enough_gpus = torch.cuda.is_available() and torch.cuda.device_count() >= int(os.environ.get("WORLD_SIZE", "1"))
    backend = args.backend or ("nccl" if enough_gpus else "gloo")  # NCCL needs one GPU per process
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device("cuda", local_rank) if backend == "nccl" else torch.device("cpu")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    dist.init_process_group(backend, timeout=datetime.timedelta(seconds=args.timeout))
    try:
        if dist.get_rank() == args.fail_rank:
            raise RuntimeError(f"rank {dist.get_rank()} fails on purpose (--fail-rank {args.fail_rank})")
        runs = [_train(argparse.Namespace(**{**vars(args), "accumulation_steps": k}), device)
                for k in args.accumulation_steps]  # fmt: skip
        world_size, rank = dist.get_world_size(), dist.get_rank()
    finally:
        dist.destroy_process_group()
    if rank != 0:
        return None
    for k, run in zip(args.accumulation_steps, runs):
        if args.compare:  # after the group is gone: this fit must not all-reduce with ranks that have finished
            one = argparse.Namespace(**{**vars(args), "accumulation_steps": k})
            run["compare"] = compare(one, run["params"], run["history"], world_size, device)
    result = {**runs[0], "runs": runs, "world_size": world_size, "backend": backend, "device": str(device),
              "config": vars(args)}  # fmt: skip
    with open(args.out, "w") as file:
        json.dump(result, file)
    return result


def _train(args, device) -> dict | None:
    """One DDP run of ``fit``; its numbers on rank 0, ``None`` elsewhere."""
    train_set, val_set, model = make_problem(args, DTYPES[args.dtype])
    ddp = DistributedDataParallel(model.to(device), device_ids=[device.index] if device.type == "cuda" else None)
    timing = {"seconds": 0.0, "calls": 0}
    ddp.register_comm_hook(timing, timed_allreduce_hook)
    sampler = DistributedSampler(train_set, shuffle=True, seed=2)
    loader = DataLoader(train_set, batch_size=args.batch_size, sampler=sampler)
    val_loader = DataLoader(val_set, batch_size=args.batch_size, sampler=DistributedSampler(val_set, shuffle=False))
    start = time.perf_counter()
    history = _fit(args, ddp, loader, val_loader, device)
    seconds = time.perf_counter() - start
    params = _flat(model).tolist()
    gathered = [None] * dist.get_world_size()
    dist.all_gather_object(gathered, {"history": history, "params": params})
    if dist.get_rank() != 0:
        return None
    updates = len(history["step_loss"])
    return {
        "accumulation_steps": args.accumulation_steps, "history": history,
        "histories_identical": all(g["history"] == history for g in gathered),
        "params": params, "checksum": sum(params), "params_identical": all(g["params"] == params for g in gathered),
        "num_updates": updates, "seconds": seconds, "time_per_step_s": seconds / max(updates, 1),
        "allreduce_s": timing["seconds"], "allreduce_calls": timing["calls"],
        "allreduce_share": timing["seconds"] / seconds,
    }  # fmt: skip


if __name__ == "__main__":
    main()
