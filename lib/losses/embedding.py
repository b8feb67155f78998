r"""Metric learning: losses that shape distances between embeddings instead of scoring classes.

A batch is ``embeddings`` (N, D) with int64 ``labels`` (N,); samples with one label form *positive* pairs, the
others *negative* pairs. Distances are Euclidean on the embeddings as given (pytorch-metric-learning, the twin of
:func:`contrastive_loss` and :func:`mine_triplets`, L2-normalises them first by default; normalise them yourself
for its default). :func:`info_nce_loss` uses cosine similarity. :func:`triplet_margin_loss`,
:func:`cosine_embedding_loss` and :func:`margin_ranking_loss` are the twins of ``torch.nn.functional``'s.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lib._validate import (
    check_bool,
    check_floating,
    check_number,
    check_reduction,
    check_same_dtype,
    check_tensor,
    reduce,
)
from lib.losses._shared import index_dtype_message

__all__ = [
    "contrastive_loss",
    "cosine_embedding_loss",
    "info_nce_loss",
    "margin_ranking_loss",
    "mine_triplets",
    "triplet_margin_loss",
]

STRATEGIES = ("all", "batch_hard", "semihard")


def _check_batch(embeddings, labels) -> None:
    check_floating("embeddings", embeddings)
    if embeddings.dim() != 2:
        raise ValueError(f"`embeddings` must have shape (N, D), one row per sample, got {tuple(embeddings.shape)}")
    check_tensor("labels", labels)
    if labels.dtype != torch.int64:
        raise ValueError(index_dtype_message(labels).replace("`target`", "`labels`"))
    if labels.shape != embeddings.shape[:1]:
        raise ValueError(f"`labels` must have shape ({embeddings.shape[0]},), one per row of `embeddings`, "
                         f"got {tuple(labels.shape)}")


def _pair_masks(labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(N, N) masks of the positive pairs (same label, i ≠ j) and the negative pairs (different labels)."""
    same = labels[:, None] == labels[None, :]
    return same & ~torch.eye(len(labels), dtype=torch.bool, device=labels.device), ~same


def _zero(embeddings: torch.Tensor) -> torch.Tensor:
    """A zero loss still connected to ``embeddings`` (its gradient is zero, not missing)."""
    return (embeddings * 0).sum()


def contrastive_loss(embeddings: torch.Tensor, labels: torch.Tensor, *, pos_margin: float = 0.0,
                     neg_margin: float = 1.0, reduction: str = "mean") -> torch.Tensor:
    r"""Contrastive (pair) loss :cite:p:`hadsell2006dimensionality` over all pairs :math:`i < j` of a batch.

    .. math::
        \ell_{ij} = \begin{cases} \max(0,\ d_{ij} - m_+) & y_i = y_j \\ \max(0,\ m_- - d_{ij}) & y_i \ne y_j
        \end{cases}, \qquad d_{ij} = \lVert e_i - e_j \rVert_2

    Positives are pulled within ``pos_margin``, negatives pushed beyond ``neg_margin``. The paper's form is
    :math:`\tfrac12 d^2` for positives and :math:`\tfrac12 \max(0, m - d)^2` for negatives (:math:`m_+ = 0`);
    like pytorch-metric-learning's ``ContrastiveLoss`` this uses the plain distance, whose pull on a positive pair
    does not fade as the pair gets close (the squared form's gradient :math:`d` does).

    ``reduction``: "none" (the :math:`N(N-1)/2` terms, pairs in ``torch.triu_indices`` order), "sum",
    "mean" — the mean over positive pairs plus the mean over negative pairs (a missing kind adds 0), so the many
    negative pairs of a batch do not drown the few positive ones; this is pytorch-metric-learning with
    ``reducer=MeanReducer()`` — and "nonzero_mean", each mean taken over the non-zero terms only, which is that
    library's default (``AvgNonZeroReducer``): it ignores pairs that are already fine, so its value stays large
    while fewer and fewer pairs are wrong. An empty sum is 0 (still connected to ``embeddings``).
    """
    _check_batch(embeddings, labels)
    pos_margin = check_number("pos_margin", pos_margin, low=0)
    neg_margin = check_number("neg_margin", neg_margin, low=0)
    if reduction not in ("none", "mean", "sum", "nonzero_mean"):
        raise ValueError(f"`reduction` must be one of ('none', 'mean', 'sum', 'nonzero_mean'), got {reduction!r}")
    i, j = torch.triu_indices(len(labels), len(labels), 1, device=labels.device)
    d = torch.cdist(embeddings, embeddings)[i, j]
    positive = labels[i] == labels[j]
    loss = torch.where(positive, F.relu(d - pos_margin), F.relu(neg_margin - d))
    if reduction in ("none", "sum"):
        return loss if reduction == "none" else loss.sum()
    total = _zero(embeddings)
    for kind in (positive, ~positive):
        kept = kind & (loss > 0) if reduction == "nonzero_mean" else kind
        total = total + (loss[kept].mean() if kept.any() else 0)
    return total


def triplet_margin_loss(anchor: torch.Tensor, positive: torch.Tensor, negative: torch.Tensor, *,
                        margin: float = 1.0, p: float = 2.0, eps: float = 1e-6, swap: bool = False,
                        reduction: str = "mean") -> torch.Tensor:
    r"""Triplet margin loss :cite:p:`schroff2015facenet`, the twin of ``torch.nn.functional.triplet_margin_loss``.

    .. math::
        \ell = \max\bigl(0,\ m + d(a, p) - d(a, n)\bigr), \qquad d(x, y) = \lVert x - y + \varepsilon \rVert_p

    (torch's ``pairwise_distance``, with ``eps`` added to the difference so the norm's gradient is finite when
    :math:`x = y`). ``swap=True`` uses :math:`\min(d(a, n), d(p, n))`, the harder of the two negatives' distances.
    Inputs are (N, D) or one unbatched (D,) triplet (a 0-d result, as torch's). FaceNet uses squared distances;
    torch and this function do not. Pick triplets with :func:`mine_triplets`: ``triplet_margin_loss(e[a], e[p],
    e[n], eps=0.0)`` over its "all" triplets equals pytorch-metric-learning's ``TripletMarginLoss`` with
    ``distance=LpDistance(normalize_embeddings=False)`` and ``reducer=MeanReducer()``; that library's defaults
    differ: margin 0.05, L2-normalised embeddings, no ``eps``, and the mean over the non-zero terms only.
    """
    for name, value in (("anchor", anchor), ("positive", positive), ("negative", negative)):
        check_floating(name, value)
        if value.dim() not in (1, 2):
            raise ValueError(f"`{name}` must have shape (N, D) or (D,), got {tuple(value.shape)}")
    for name, value in (("positive", positive), ("negative", negative)):
        if value.shape != anchor.shape:
            raise ValueError(f"`{name}` must have the shape of `anchor` {tuple(anchor.shape)}, "
                             f"got {tuple(value.shape)}")
        check_same_dtype(anchor, value, ("anchor", name))
    margin = check_number("margin", margin, low=0, low_open=True)
    p = check_number("p", p, low=0, low_open=True)
    eps = check_number("eps", eps, low=0)
    check_bool("swap", swap)
    check_reduction(reduction)

    def distance(x, y):
        return torch.linalg.vector_norm(x - y + eps, ord=p, dim=-1)

    d_an = distance(anchor, negative)
    if swap:
        d_an = torch.minimum(d_an, distance(positive, negative))
    return reduce(F.relu(margin + distance(anchor, positive) - d_an), reduction)


def mine_triplets(embeddings: torch.Tensor, labels: torch.Tensor, *, strategy: str = "all",
                  margin: float | None = None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""Indices ``(anchor, positive, negative)`` (int64) of triplets of a batch, by Euclidean distance.

    - "all": every triplet with :math:`y_a = y_p`, :math:`a \ne p`, :math:`y_n \ne y_a`, sorted by
      (anchor, positive, negative) (pytorch-metric-learning's ``get_all_triplets_indices``; its
      ``TripletMarginMiner(type_of_triplets="all")`` keeps only those that violate its margin);
    - "batch_hard" :cite:p:`hermans2017defense`: for each anchor that has a positive and a negative, its farthest
      positive and nearest negative (``BatchHardMiner``);
    - "semihard" :cite:p:`schroff2015facenet` (needs ``margin`` > 0): every triplet whose negative is farther
      than the positive but within the margin, :math:`d_{ap} < d_{an} < d_{ap} + m` (the paper uses squared
      distances and picks such negatives per pair; ``TripletMarginMiner(type_of_triplets="semihard")`` keeps
      all of them, as here, and also keeps a tie :math:`d_{an} = d_{ap} + m`).

    Mining is selection, not part of the loss: nothing here is differentiated.
    """
    _check_batch(embeddings, labels)
    if strategy not in STRATEGIES:
        raise ValueError(f"`strategy` must be one of {STRATEGIES}, got {strategy!r}")
    if strategy == "semihard":
        margin = check_number("margin", margin, low=0, low_open=True)
    elif margin is not None:
        raise ValueError(f"`margin` is only used by strategy='semihard'; leave it None for {strategy!r}")
    with torch.no_grad():
        dist = torch.cdist(embeddings, embeddings)
        pos, neg = _pair_masks(labels)
        if strategy == "batch_hard":
            anchors = torch.nonzero(pos.any(1) & neg.any(1)).flatten()
            if anchors.numel() == 0:  # argmax of an empty row raises
                return anchors, anchors.clone(), anchors.clone()
            farthest = dist.masked_fill(~pos, -torch.inf).argmax(1)
            nearest = dist.masked_fill(~neg, torch.inf).argmin(1)
            return anchors, farthest[anchors], nearest[anchors]
        valid = pos[:, :, None] & neg[:, None, :]
        if strategy == "semihard":
            d_ap, d_an = dist[:, :, None], dist[:, None, :]
            valid &= (d_an > d_ap) & (d_an < d_ap + margin)
        return torch.nonzero(valid, as_tuple=True)


def info_nce_loss(embeddings: torch.Tensor, labels: torch.Tensor, *, temperature: float = 0.1) -> torch.Tensor:
    r"""InfoNCE / NT-Xent :cite:p:`oord2018representation,chen2020simple`, the twin of pytorch-metric-learning's
    ``NTXentLoss``.

    With :math:`s_{ij} = \cos(e_i, e_j) / \tau`, every positive pair :math:`(i, p)` (:math:`i \ne p`, same label;
    both orders) is one cross-entropy term that must pick :math:`p` among :math:`p` and *all* of :math:`i`'s
    negatives :math:`\mathcal N(i)` (other positives of :math:`i` are left out of the denominator):

    .. math::
        \ell_{ip} = -\log \frac{e^{s_{ip}}}{e^{s_{ip}} + \sum_{n \in \mathcal N(i)} e^{s_{in}}},
        \qquad \mathcal L = \operatorname{mean}_{(i, p)} \ell_{ip}

    Any class sizes work: a sample whose class has no other member is no anchor (it still serves as a negative),
    and a batch without positive pairs gives 0 (connected to ``embeddings``). SimCLR's batch of two views of
    each image is the case of classes of size 2. Embeddings are L2-normalised first (a zero row stays zero).
    """
    _check_batch(embeddings, labels)
    temperature = check_number("temperature", temperature, low=0, low_open=True)
    pos, neg = _pair_masks(labels)
    anchor, positive = torch.nonzero(pos, as_tuple=True)
    if anchor.numel() == 0:
        return _zero(embeddings)
    z = F.normalize(embeddings, dim=1)
    sim = z @ z.T / temperature
    negatives = sim[anchor].masked_fill(~neg[anchor], -torch.inf)
    logits = torch.cat([sim[anchor, positive][:, None], negatives], dim=1)
    return -torch.log_softmax(logits, dim=1)[:, 0].mean()


def _check_signs(target: torch.Tensor, shape) -> None:
    check_tensor("target", target)
    if target.shape != shape:
        raise ValueError(f"`target` must have shape {tuple(shape)}, got {tuple(target.shape)}")
    if target.dtype == torch.bool or target.is_complex() or not ((target == 1) | (target == -1)).all():
        raise ValueError("`target` must hold only 1 (similar / first ranks higher) and -1 (dissimilar / second)")


def cosine_embedding_loss(input1: torch.Tensor, input2: torch.Tensor, target: torch.Tensor, *,
                          margin: float = 0.0, reduction: str = "mean") -> torch.Tensor:
    r"""Cosine embedding loss, the twin of ``torch.nn.functional.cosine_embedding_loss``.

    .. math::
        \ell = \begin{cases} 1 - \cos(x_1, x_2) & y = 1 \\ \max(0,\ \cos(x_1, x_2) - m) & y = -1 \end{cases},
        \qquad \cos = \frac{x_1 \cdot x_2}{\sqrt{(\lVert x_1\rVert^2 + 10^{-12})(\lVert x_2\rVert^2 + 10^{-12})}}

    The :math:`10^{-12}` is torch's: a zero vector :math:`x_1` has cosine 0 (no nan), but a huge gradient,
    :math:`x_2 / (10^{-6}\,\lVert x_2 \rVert)`, of norm :math:`10^{6}`. Inputs (N, D) with ``target`` (N,),
    or (D,) with a 0-d ``target``, of ±1 (torch silently gives 0 for any other value; refused here);
    ``margin`` in [-1, 1].
    """
    check_floating("input1", input1)
    check_floating("input2", input2)
    if input1.dim() not in (1, 2):
        raise ValueError(f"`input1` must have shape (N, D) or (D,), got {tuple(input1.shape)}")
    if input2.shape != input1.shape:
        raise ValueError(f"`input2` must have the shape of `input1` {tuple(input1.shape)}, got {tuple(input2.shape)}")
    check_same_dtype(input1, input2, ("input1", "input2"))
    _check_signs(target, input1.shape[:-1])
    margin = check_number("margin", margin, low=-1, high=1)
    check_reduction(reduction)
    eps = 1e-12
    cos = (input1 * input2).sum(-1) / ((input1.square().sum(-1) + eps) * (input2.square().sum(-1) + eps)).sqrt()
    return reduce(torch.where(target == 1, 1 - cos, F.relu(cos - margin)), reduction)


def margin_ranking_loss(input1: torch.Tensor, input2: torch.Tensor, target: torch.Tensor, *,
                        margin: float = 0.0, reduction: str = "mean") -> torch.Tensor:
    r"""Margin ranking loss, the twin of ``torch.nn.functional.margin_ranking_loss``.

    .. math:: \ell = \max\bigl(0,\ -y\,(x_1 - x_2) + m\bigr)

    :math:`y = 1`: :math:`x_1` should exceed :math:`x_2` by at least :math:`m`; :math:`y = -1`: the reverse.
    ``input1``, ``input2`` and ``target`` have one shape (no broadcasting, unlike torch), ``target`` only ±1, and
    ``margin`` >= 0 (torch accepts a negative margin, which would accept a wrong order).
    """
    check_floating("input1", input1)
    check_floating("input2", input2)
    if input2.shape != input1.shape:
        raise ValueError(f"`input2` must have the shape of `input1` {tuple(input1.shape)}, got {tuple(input2.shape)}")
    check_same_dtype(input1, input2, ("input1", "input2"))
    _check_signs(target, input1.shape)
    margin = check_number("margin", margin, low=0)
    check_reduction(reduction)
    return reduce(F.relu(-target.to(input1.dtype) * (input1 - input2) + margin), reduction)
