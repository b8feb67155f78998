"""lib.train.make_loader: full batch as one pair, or TensorBatches, which yields a DataLoader's batches bit for bit and
draws the same random numbers at the same moments; its arguments are checked (every bad argument is a row of
tests/test_bad_input_training_data_plot.py)."""

import pytest
import torch

from lib import train
from lib.train.loader import TensorBatches


def test_full_batch_is_the_one_pair_itself():
    X, y = torch.randn(5, 2), torch.randn(5)
    ((Xb, yb),) = train.make_loader(X, y)
    assert Xb is X and yb is y


def test_make_loader_refuses_a_shuffle_flag_that_is_not_a_bool():
    with pytest.raises(ValueError, match="`shuffle` must be True or False, got 'False'"):
        train.make_loader(torch.zeros(4, 1), torch.zeros(4), batch_size=2, shuffle="False")


def _as_dataloader(X, y, **options):
    return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), **options)


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize(("n", "batch_size"), [(10, 3), (12, 4), (12, 12), (5, 8), (1, 1), (37, 10)])
@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_the_batches_are_a_dataloaders_bit_for_bit_epoch_after_epoch(shuffle, drop_last, n, batch_size, seed):
    data = torch.Generator().manual_seed(seed + 1)
    X = torch.randn(n, 3, generator=data, dtype=torch.float64)
    y = torch.randint(0, 5, (n,), generator=data)
    ours_generator, torch_generator = torch.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)
    options = {"batch_size": batch_size, "shuffle": shuffle, "drop_last": drop_last}
    ours = TensorBatches(X, y, generator=ours_generator, **options)
    reference = _as_dataloader(X, y, generator=torch_generator, **options)
    assert len(ours) == len(reference)
    for _ in range(3):
        ours_batches, reference_batches = list(ours), list(reference)
        assert len(ours_batches) == len(reference_batches)
        for (X_ours, y_ours), (X_ref, y_ref) in zip(ours_batches, reference_batches):
            assert X_ours.dtype == X_ref.dtype and y_ours.dtype == y_ref.dtype
            assert torch.equal(X_ours, X_ref) and torch.equal(y_ours, y_ref)
        assert torch.equal(ours_generator.get_state(), torch_generator.get_state())


@pytest.mark.parametrize("shuffle", [True, False])
def test_without_a_generator_the_global_generator_advances_as_under_a_dataloader(shuffle):
    X, y = torch.arange(10.0).unsqueeze(1), torch.arange(10)
    states = []
    for make in (TensorBatches, _as_dataloader):
        torch.manual_seed(7)
        batches = [tuple(b) for _ in range(2) for b in make(X, y, batch_size=3, shuffle=shuffle)]
        states.append((batches, torch.get_rng_state()))
    (ours, ours_state), (reference, reference_state) = states
    assert all(torch.equal(a, b) for pair_a, pair_b in zip(ours, reference) for a, b in zip(pair_a, pair_b))
    assert len(ours) == len(reference) and torch.equal(ours_state, reference_state)


def test_the_generator_is_drawn_from_at_the_same_moments_as_by_a_dataloader():
    # after iter() and after each batch, the generator's state is a DataLoader's (10 samples, batches of 4: the
    # sampler is exhausted before the short last batch)
    X, y = torch.arange(10.0).unsqueeze(1), torch.arange(10)
    traces = []
    for make in (TensorBatches, _as_dataloader):
        generator = torch.Generator().manual_seed(3)
        iterator = iter(make(X, y, batch_size=4, shuffle=True, generator=generator))
        trace = [generator.get_state()]
        for _ in iterator:
            trace.append(generator.get_state())
        traces.append(trace + [generator.get_state()])
    assert len(traces[0]) == len(traces[1]) and all(torch.equal(a, b) for a, b in zip(*traces))
