"""lib.losses' metric-learning losses and miner against pytorch-metric-learning (contrastive, InfoNCE/NT-Xent,
triplet miners and triplet loss) and torch.nn.functional (triplet margin, cosine embedding, margin ranking):
values, gradients, float32 and float64, extreme and empty batches."""

import itertools

import pytest
import torch
import torch.nn.functional as F
from pytorch_metric_learning import losses as pml_losses
from pytorch_metric_learning import miners as pml_miners
from pytorch_metric_learning.distances import LpDistance
from pytorch_metric_learning.reducers import MeanReducer
from pytorch_metric_learning.utils import loss_and_miner_utils as lmu
from torch.testing import assert_close

from lib import losses
from tests.helpers import DTYPES, REDUCTIONS, value_and_grad

EUCLID = LpDistance(normalize_embeddings=False)  # PML normalises by default; lib uses the embeddings as given
UNEQUAL = [1, 2, 5]  # class counts


def _labels(counts, g):
    labels = torch.cat([torch.full((c,), k) for k, c in enumerate(counts)] + [torch.zeros(0, dtype=torch.int64)])
    return labels[torch.randperm(len(labels), generator=g)]


def _batch(counts, dtype, seed, scale=1.0, dim=4):
    g = torch.Generator().manual_seed(seed)
    labels = _labels(counts, g)
    return (scale * torch.randn((len(labels), dim), generator=g, dtype=torch.float64)).to(dtype), labels


# ----- InfoNCE / NT-Xent -----------------------------------------------------------------------------------------


def _naive_info_nce(embeddings, labels, temperature):
    """The reshape version that only works when every class has the same count: the positives and negatives of
    all rows are gathered with one boolean mask and reshaped to one row per anchor, and every positive but the
    first is scored as if it were a negative."""
    z = F.normalize(embeddings, dim=1)
    sim = z @ z.T / temperature
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(len(labels), dtype=torch.bool)
    positives = sim[same & ~eye].view(len(labels), -1)
    negatives = sim[~same].view(len(labels), -1)
    logits = torch.cat([positives, negatives], dim=1)
    return F.cross_entropy(logits, torch.zeros(len(labels), dtype=torch.int64))


@pytest.mark.parametrize("counts", [UNEQUAL, [2, 2, 2, 2], [3, 1, 4, 1, 5], [6]], ids=str)
@pytest.mark.parametrize("temperature", [0.07, 0.5])
@pytest.mark.parametrize("dtype", DTYPES)
def test_info_nce_equals_pml_ntxent_for_any_class_counts(dtype, temperature, counts):
    embeddings, labels = _batch(counts, dtype, seed=len(counts))
    ours, ours_grad = value_and_grad(losses.info_nce_loss, embeddings, labels, temperature=temperature)
    theirs, theirs_grad = value_and_grad(pml_losses.NTXentLoss(temperature=temperature), embeddings, labels)
    assert_close(ours, theirs)
    assert_close(ours_grad, theirs_grad)


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_reshape_version_of_info_nce_fails_with_unequal_counts_and_only_equals_it_for_pairs(dtype):
    embeddings, labels = _batch(UNEQUAL, dtype, seed=0)
    with pytest.raises(RuntimeError):  # 22 positive entries do not make 8 equal rows
        _naive_info_nce(embeddings, labels, 0.1)
    pairs, pair_labels = _batch([2, 2, 2, 2], dtype, seed=1)
    assert_close(_naive_info_nce(pairs, pair_labels, 0.1), losses.info_nce_loss(pairs, pair_labels))
    triples, triple_labels = _batch([3, 3, 3], dtype, seed=2)  # reshapes fine, but scores positives as negatives
    naive, ours = _naive_info_nce(triples, triple_labels, 0.1), losses.info_nce_loss(triples, triple_labels)
    assert (naive - ours).abs() > 0.01
    assert_close(ours, pml_losses.NTXentLoss(temperature=0.1)(triples, triple_labels))


@pytest.mark.parametrize("dtype", DTYPES)
def test_info_nce_is_scale_invariant_so_1e4_embeddings_match_pml_and_stay_finite(dtype):
    embeddings, labels = _batch(UNEQUAL, dtype, seed=3, scale=1e4)
    ours, ours_grad = value_and_grad(losses.info_nce_loss, embeddings, labels)
    theirs, theirs_grad = value_and_grad(pml_losses.NTXentLoss(temperature=0.1), embeddings, labels)
    assert_close(ours, theirs)
    assert_close(ours, losses.info_nce_loss(embeddings / 1e4, labels))
    assert_close(ours_grad, theirs_grad)
    assert torch.isfinite(ours_grad).all()


@pytest.mark.parametrize("counts", [[1, 1, 1], [1], []], ids=str)
@pytest.mark.parametrize("dtype", DTYPES)
def test_info_nce_without_positive_pairs_is_zero_with_zero_gradient(dtype, counts):
    embeddings, labels = _batch(counts, dtype, seed=4)
    value, grad = value_and_grad(losses.info_nce_loss, embeddings, labels)
    assert value == 0 and value.dtype == dtype and (grad == 0).all()


# ----- contrastive -------------------------------------------------------------------------------------------------


def _contrastive_pairs(embeddings, labels, pos_margin, neg_margin):
    """The per-pair terms written as a loop over i < j."""
    terms = []
    for i, j in itertools.combinations(range(len(labels)), 2):
        d = (embeddings[i] - embeddings[j]).norm()
        terms.append((d - pos_margin).clamp(min=0) if labels[i] == labels[j] else (neg_margin - d).clamp(min=0))
    return torch.stack(terms)


@pytest.mark.parametrize("reduction", ["mean", "nonzero_mean"])
@pytest.mark.parametrize("scale", [0.5, 1e4])
@pytest.mark.parametrize("dtype", DTYPES)
def test_contrastive_loss_equals_pml_with_mean_and_with_its_default_nonzero_reducer(dtype, scale, reduction):
    embeddings, labels = _batch(UNEQUAL, dtype, seed=5, scale=scale)
    options = dict(pos_margin=0.3 * scale, neg_margin=1.5 * scale)
    reducer = {"reducer": MeanReducer()} if reduction == "mean" else {}
    twin = pml_losses.ContrastiveLoss(**options, distance=EUCLID, **reducer)
    ours, ours_grad = value_and_grad(losses.contrastive_loss, embeddings, labels, reduction=reduction, **options)
    theirs, theirs_grad = value_and_grad(twin, embeddings, labels)
    assert_close(ours, theirs)
    assert_close(ours_grad, theirs_grad)
    terms = losses.contrastive_loss(embeddings, labels, reduction="none", **options)
    assert 0 < (terms == 0).sum() < len(terms)  # the two reducers really differ on this batch
    if reduction == "mean":  # default margins, PML's default reducer
        default, _ = value_and_grad(losses.contrastive_loss, embeddings / scale, labels, reduction="nonzero_mean")
        assert_close(default, pml_losses.ContrastiveLoss(distance=EUCLID)(embeddings / scale, labels))


@pytest.mark.parametrize("reduction", ["none", "sum"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_contrastive_loss_terms_are_the_pairs_i_below_j_of_the_paper_without_squares(dtype, reduction):
    embeddings, labels = _batch([3, 2, 4], dtype, seed=6)
    ours, ours_grad = value_and_grad(losses.contrastive_loss, embeddings, labels, pos_margin=0.2, reduction=reduction)
    twin = (lambda e, y: _contrastive_pairs(e, y, 0.2, 1.0)) if reduction == "none" else (
        lambda e, y: _contrastive_pairs(e, y, 0.2, 1.0).sum())
    theirs, theirs_grad = value_and_grad(twin, embeddings, labels)
    assert_close(ours, theirs)
    assert_close(ours_grad, theirs_grad)


@pytest.mark.parametrize("counts", [[], [1], [2], [1, 1]], ids=str)
@pytest.mark.parametrize("dtype", DTYPES)
def test_contrastive_loss_of_a_batch_without_some_kind_of_pair_adds_zero_for_it(dtype, counts):
    embeddings, labels = _batch(counts, dtype, seed=7)
    for reduction in ("mean", "nonzero_mean", "sum"):
        value, grad = value_and_grad(losses.contrastive_loss, embeddings, labels, reduction=reduction)
        reducer = {"reducer": MeanReducer()} if reduction == "mean" else {}
        if reduction != "sum":
            assert_close(value, pml_losses.ContrastiveLoss(distance=EUCLID, **reducer)(embeddings, labels))
        assert value.dtype == dtype and torch.isfinite(grad).all()
    pairs = len(labels) * (len(labels) - 1) // 2
    assert losses.contrastive_loss(embeddings, labels, reduction="none").shape == (pairs,)


# ----- triplets ----------------------------------------------------------------------------------------------------


def _triplet_grads(fn, x1, x2, x3, /, **options):
    """The value and the gradients with respect to the three arguments."""
    x1, x2, x3 = (x.detach().clone().requires_grad_(True) for x in (x1, x2, x3))
    value = fn(x1, x2, x3, **options)
    return value.detach(), torch.autograd.grad(value.sum(), (x1, x2, x3), allow_unused=True)


@pytest.mark.parametrize("shape", [(6, 5), (5,), (0, 5)], ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_triplet_margin_loss_equals_torch_for_every_p_swap_margin_and_eps(dtype, reduction, shape):
    g = torch.Generator().manual_seed(8)
    a, p, n = (torch.randn(shape, generator=g, dtype=torch.float64).to(dtype) for _ in range(3))
    for (norm, swap, margin, eps), scale in itertools.product(
            [(2.0, False, 1.0, 1e-6), (1.0, True, 0.5, 1e-6), (3.0, True, 2.0, 0.0), (2.0, True, 1.0, 1e-6)],
            [1.0, 1e4]):
        options = dict(p=norm, swap=swap, margin=margin * scale, eps=eps, reduction=reduction)
        ours, ours_grads = _triplet_grads(losses.triplet_margin_loss, a * scale, p * scale, n * scale, **options)
        theirs, theirs_grads = _triplet_grads(F.triplet_margin_loss, a * scale, p * scale, n * scale, **options)
        assert_close(ours, theirs, equal_nan=True)
        for mine, twin in zip(ours_grads, theirs_grads):
            assert_close(mine, twin)


def test_triplet_swap_changes_the_loss_when_the_positive_is_nearer_the_negative():
    a, p, n = torch.tensor([[0.0, 0.0]]), torch.tensor([[1.0, 0.0]]), torch.tensor([[1.5, 0.0]])
    assert losses.triplet_margin_loss(a, p, n, eps=0.0) == pytest.approx(1 + 1 - 1.5)
    assert losses.triplet_margin_loss(a, p, n, eps=0.0, swap=True) == pytest.approx(1 + 1 - 0.5)


@pytest.mark.parametrize("dtype", DTYPES)
def test_mine_triplets_all_is_every_valid_triplet_in_pml_order(dtype):
    embeddings, labels = _batch(UNEQUAL, dtype, seed=9)
    ours = losses.mine_triplets(embeddings, labels)
    for mine, twin in zip(ours, lmu.get_all_triplets_indices(labels)):
        assert mine.dtype == torch.int64 and torch.equal(mine, twin)
    assert len(ours[0]) == 2 * 1 * 6 + 5 * 4 * 3  # (anchors, positives, negatives) per class
    huge = pml_miners.TripletMarginMiner(margin=1e6, type_of_triplets="all", distance=EUCLID)(embeddings, labels)
    assert all(torch.equal(mine, twin) for mine, twin in zip(ours, huge))  # PML keeps violators; all violate 1e6


def _as_set(triplets):
    return set(zip(*(t.tolist() for t in triplets)))


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("dtype", DTYPES)
def test_mine_triplets_batch_hard_and_semihard_equal_pml_miners(dtype, seed):
    embeddings, labels = _batch([1, 3, 4, 2, 6], dtype, seed=10 + seed)
    hard = losses.mine_triplets(embeddings, labels, strategy="batch_hard")
    assert _as_set(hard) == _as_set(pml_miners.BatchHardMiner(distance=EUCLID)(embeddings, labels))
    dist = torch.cdist(embeddings, embeddings)
    for a, p, n in zip(*hard):  # the definition: farthest positive, nearest negative
        same = labels == labels[a]
        assert dist[a, p] == dist[a][same].max() and dist[a, n] == dist[a][~same].min()
    assert len(hard[0]) == len(labels) - 1  # the singleton class's sample has no positive
    for margin in (0.3, 1.0):
        semi = losses.mine_triplets(embeddings, labels, strategy="semihard", margin=margin)
        twin = pml_miners.TripletMarginMiner(margin=margin, type_of_triplets="semihard", distance=EUCLID)
        assert _as_set(semi) == _as_set(twin(embeddings, labels))
        d_ap, d_an = dist[semi[0], semi[1]], dist[semi[0], semi[2]]
        assert ((d_ap < d_an) & (d_an < d_ap + margin)).all() and len(semi[0]) > 0


@pytest.mark.parametrize("reducer", ["mean", "nonzero"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_triplet_loss_over_all_mined_triplets_equals_pml_triplet_margin_loss(dtype, reducer):
    embeddings, labels = _batch(UNEQUAL, dtype, seed=13)

    def ours(e, y):
        a, p, n = losses.mine_triplets(e, y)
        terms = losses.triplet_margin_loss(e[a], e[p], e[n], margin=0.5, eps=0.0, reduction="none")
        return terms.mean() if reducer == "mean" else terms[terms > 0].mean()  # PML's default: non-zero mean

    options = {"reducer": MeanReducer()} if reducer == "mean" else {}
    twin = pml_losses.TripletMarginLoss(margin=0.5, distance=EUCLID, **options)
    value, grad = value_and_grad(ours, embeddings, labels)
    theirs, theirs_grad = value_and_grad(twin, embeddings, labels)
    assert_close(value, theirs)
    assert_close(grad, theirs_grad)


@pytest.mark.parametrize("strategy", ["all", "batch_hard", "semihard"])
def test_mine_triplets_of_batches_without_triplets_are_empty_long_tensors(strategy):
    options = {"margin": 0.5} if strategy == "semihard" else {}
    for counts in ([], [1, 1, 1], [4]):
        embeddings, labels = _batch(counts, torch.float32, seed=14)
        for indices in losses.mine_triplets(embeddings, labels, strategy=strategy, **options):
            assert indices.shape == (0,) and indices.dtype == torch.int64


# ----- cosine embedding and margin ranking ---------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(7, 4), (4,), (0, 4)], ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_cosine_embedding_loss_equals_torch_including_zero_vectors_and_extremes(dtype, reduction, shape):
    g = torch.Generator().manual_seed(15)
    x1, x2 = (torch.randn(shape, generator=g, dtype=torch.float64).to(dtype) for _ in range(2))
    target = torch.where(torch.rand(shape[:-1], generator=g) < 0.5, 1, -1)
    if len(shape) == 2 and shape[0]:
        x1[0] = 0  # a zero vector: cosine 0 via torch's 1e-12
        x2[1] *= 1e4
    for margin, signs in itertools.product([0.0, -0.5, 0.8], [target, target.to(dtype)]):
        options = dict(margin=margin, reduction=reduction)
        ours, ours_grad = value_and_grad(lambda a, b, t, **kw: losses.cosine_embedding_loss(a, b, t, **kw),
                                         x1, x2, signs, **options)
        theirs, theirs_grad = value_and_grad(F.cosine_embedding_loss, x1, x2, signs, **options)
        assert_close(ours, theirs, equal_nan=True)
        assert_close(ours_grad, theirs_grad, rtol=1e-5 if dtype == torch.float32 else 1e-7, atol=1e-5)


@pytest.mark.parametrize("shape", [(9,), (), (0,), (3, 4)], ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_margin_ranking_loss_equals_torch_in_value_and_both_gradients(dtype, reduction, shape):
    g = torch.Generator().manual_seed(16)
    x1, x2 = (torch.randn(shape, generator=g, dtype=torch.float64).to(dtype) for _ in range(2))
    target = torch.where(torch.rand(shape, generator=g) < 0.5, 1.0, -1.0).to(dtype)
    for margin, scale in itertools.product([0.0, 0.5], [1.0, 1e4]):
        options = dict(margin=margin * scale, reduction=reduction)
        ours, ours_grads = _triplet_grads(losses.margin_ranking_loss, x1 * scale, x2 * scale, target, **options)
        theirs, theirs_grads = _triplet_grads(F.margin_ranking_loss, x1 * scale, x2 * scale, target, **options)
        assert_close(ours, theirs, equal_nan=True)
        assert_close(ours_grads[:2], theirs_grads[:2])


@pytest.mark.parametrize("dtype", DTYPES)
def test_a_zero_vector_has_cosine_zero_and_a_gradient_of_norm_1e6_as_in_torch(dtype):
    x1, x2 = torch.zeros((1, 3), dtype=dtype), torch.tensor([[3.0, -4.0, 12.0]], dtype=dtype)
    similar = torch.ones(1, dtype=torch.int64)
    value, grad = value_and_grad(losses.cosine_embedding_loss, x1, x2, similar, reduction="sum")
    assert value == 1  # 1 - cos with cos = 0
    assert_close(grad.norm(), torch.tensor(1e6, dtype=dtype), rtol=1e-4, atol=0)
    assert_close(grad, value_and_grad(F.cosine_embedding_loss, x1, x2, similar, reduction="sum")[1])
