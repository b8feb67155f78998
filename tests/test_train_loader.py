"""lib.train.make_loader: full batch as one pair, or the mini-batches of a DataLoader; its arguments are checked
(every bad argument is a row of tests/test_bad_input_training_data_plot.py)."""

import pytest
import torch

from lib import train


def test_full_batch_is_the_one_pair_itself():
    X, y = torch.randn(5, 2), torch.randn(5)
    ((Xb, yb),) = train.make_loader(X, y)
    assert Xb is X and yb is y


def test_make_loader_refuses_a_shuffle_flag_that_is_not_a_bool():
    with pytest.raises(ValueError, match="`shuffle` must be True or False, got 'False'"):
        train.make_loader(torch.zeros(4, 1), torch.zeros(4), batch_size=2, shuffle="False")
