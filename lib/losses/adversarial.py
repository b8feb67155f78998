r"""Adversarial losses: what a GAN's discriminator (or critic) and generator minimise, from logits or scores.

A discriminator :math:`D(x) = \sigma(s(x))` outputs a logit :math:`s`; every loss below is written with
:math:`\log\sigma(s) = -\operatorname{softplus}(-s)` and :math:`\log(1 - \sigma(s)) = -\operatorname{softplus}(s)`,
so it is finite, with finite gradients, for any logit (the textbook ``log(sigmoid(s))`` is ``-inf`` in float32
once :math:`s < -104`). Each loss is a mean over each batch; an empty batch gives ``nan``, as ``torch.mean`` does.
The real and fake batches may have different sizes and shapes (each is averaged on its own) but one dtype.

- :func:`discriminator_loss`, :func:`generator_loss`: the original GAN :cite:p:`goodfellow2014generative`, with
  the saturating ("minimax") and the non-saturating generator loss.
- :func:`hinge_discriminator_loss`, :func:`hinge_generator_loss`: the hinge loss :cite:p:`lim2017geometric`
  :cite:p:`miyato2018spectral`.
- :func:`wasserstein_critic_loss`, :func:`wasserstein_generator_loss` :cite:p:`arjovsky2017wasserstein` and
  :func:`gradient_penalty` :cite:p:`gulrajani2017improved` (WGAN-GP): the critic's scores are not logits.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lib._validate import check_callable, check_floating, check_number, check_same_dtype, check_same_shape

__all__ = [
    "discriminator_loss",
    "generator_loss",
    "gradient_penalty",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
    "wasserstein_critic_loss",
    "wasserstein_generator_loss",
]

GENERATOR_KINDS = ("minimax", "non_saturating")


def _check_logits(real_name: str, real, fake_name: str, fake) -> None:
    check_floating(real_name, real)
    check_floating(fake_name, fake)
    check_same_dtype(real, fake, names=(real_name, fake_name))


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    r"""The GAN discriminator's loss :cite:p:`goodfellow2014generative`, from logits :math:`s = \sigma^{-1}(D)`.

    .. math::
        L_D = -\operatorname{mean}_i \log D(x_i) - \operatorname{mean}_j \log\bigl(1 - D(G(z_j))\bigr)
            = \operatorname{mean}_i \operatorname{softplus}(-s_i^{\text{real}})
            + \operatorname{mean}_j \operatorname{softplus}(s_j^{\text{fake}})

    the binary cross-entropy with targets 1 on the real batch plus the one with targets 0 on the fake batch.
    """
    _check_logits("real_logits", real_logits, "fake_logits", fake_logits)
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def generator_loss(fake_logits: torch.Tensor, *, kind: str = "non_saturating") -> torch.Tensor:
    r"""The GAN generator's loss :cite:p:`goodfellow2014generative`, from the discriminator's logits on fakes.

    .. math::
        L_G^{\text{minimax}} = \operatorname{mean}_j \log\bigl(1 - D(G(z_j))\bigr)
            = -\operatorname{mean}_j \operatorname{softplus}(s_j), \qquad
        L_G^{\text{non-saturating}} = -\operatorname{mean}_j \log D(G(z_j))
            = \operatorname{mean}_j \operatorname{softplus}(-s_j)

    The generator minimises either. The "minimax" one is the game's own value; its slope
    :math:`-\sigma(s)` vanishes where the discriminator confidently rejects the fakes (:math:`s \to -\infty`),
    which is early in training. The "non_saturating" one has the same fixed points and slope
    :math:`\sigma(s) - 1 \to -1` there.
    """
    check_floating("fake_logits", fake_logits)
    if kind not in GENERATOR_KINDS:
        raise ValueError(f"`kind` must be one of {GENERATOR_KINDS}, got {kind!r}")
    if kind == "minimax":
        return -F.softplus(fake_logits).mean()
    return F.softplus(-fake_logits).mean()


def hinge_discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    r"""The hinge discriminator loss :cite:p:`lim2017geometric` :cite:p:`miyato2018spectral`:
    :math:`\operatorname{mean}_i \max(0, 1 - s_i^{\text{real}}) + \operatorname{mean}_j \max(0, 1 + s_j^{\text{fake}})`.
    Logits already beyond the margin (real above 1, fake below −1) contribute nothing."""
    _check_logits("real_logits", real_logits, "fake_logits", fake_logits)
    return F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean()


def hinge_generator_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    r"""The generator's loss in the hinge GAN :cite:p:`lim2017geometric` :cite:p:`miyato2018spectral`:
    :math:`-\operatorname{mean}_j s_j^{\text{fake}}` (slope −1/N everywhere: it never saturates)."""
    check_floating("fake_logits", fake_logits)
    return -fake_logits.mean()


def wasserstein_critic_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    r"""The WGAN critic's loss :cite:p:`arjovsky2017wasserstein`:
    :math:`\operatorname{mean}_j f(G(z_j)) - \operatorname{mean}_i f(x_i)`, minus the estimate of the
    Wasserstein-1 distance when the critic :math:`f` is 1-Lipschitz (enforce that with :func:`gradient_penalty`
    or weight clipping; unconstrained, this loss is unbounded below)."""
    _check_logits("real_scores", real_scores, "fake_scores", fake_scores)
    return fake_scores.mean() - real_scores.mean()


def wasserstein_generator_loss(fake_scores: torch.Tensor) -> torch.Tensor:
    r"""The WGAN generator's loss :cite:p:`arjovsky2017wasserstein`: :math:`-\operatorname{mean}_j f(G(z_j))`."""
    check_floating("fake_scores", fake_scores)
    return -fake_scores.mean()


def gradient_penalty(critic, real: torch.Tensor, fake: torch.Tensor, *, weight: float = 10.0,
                     generator: torch.Generator | None = None) -> torch.Tensor:
    r"""The WGAN-GP gradient penalty :cite:p:`gulrajani2017improved`, to add to the critic's loss.

    .. math::
        \hat x_i = \epsilon_i x_i + (1 - \epsilon_i)\,\tilde x_i,\quad \epsilon_i \sim U[0, 1], \qquad
        \mathrm{GP} = \lambda\,\operatorname{mean}_i \bigl(\lVert \nabla_{\hat x} f(\hat x_i) \rVert_2 - 1\bigr)^2

    ``real`` :math:`x` and ``fake`` :math:`\tilde x` are (N, ...) batches of one shape and dtype (detached
    here: the penalty trains the critic only); ``critic`` maps (N, ...) to N scores, shape (N,) or (N, 1);
    :math:`\lambda` = ``weight`` ≥ 0. One :math:`\epsilon_i` per sample is drawn from ``generator`` (torch's
    global one when None), in float64 and then cast, so the draw is the same on every CPU. The input
    gradient is taken with ``create_graph=True``, so the result can be back-propagated to the critic's
    parameters (a second derivative). For a linear critic :math:`f(x) = w^\top x + b` the penalty is
    :math:`\lambda(\lVert w\rVert - 1)^2` whatever :math:`\epsilon`. An empty batch gives ``nan``.
    """
    check_callable("critic", critic, "critic(x) -> scores of shape (N,) or (N, 1)")
    check_floating("real", real)
    check_floating("fake", fake)
    check_same_shape(real, fake, names=("real", "fake"))
    check_same_dtype(real, fake, names=("real", "fake"))
    if real.dim() == 0:
        raise ValueError("`real` must be a batch (N, ...) with the samples along dim 0, got a 0-d tensor")
    weight = check_number("weight", weight, low=0)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise ValueError(f"`generator` must be None or a torch.Generator, got {generator!r}")
    n = real.shape[0]
    where = generator.device if generator is not None else real.device
    eps = torch.rand(n, generator=generator, dtype=torch.float64, device=where).to(real.device, real.dtype)
    eps = eps.reshape(n, *([1] * (real.dim() - 1)))
    x_hat = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_(True)
    scores = critic(x_hat)
    if not isinstance(scores, torch.Tensor) or scores.shape not in ((n,), (n, 1)):
        shape = tuple(scores.shape) if isinstance(scores, torch.Tensor) else type(scores).__name__
        raise ValueError(f"`critic` must return one score per sample, shape ({n},) or ({n}, 1), got {shape}")
    (grad,) = torch.autograd.grad(scores.sum(), x_hat, create_graph=True)
    return weight * ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
