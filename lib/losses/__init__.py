"""Loss functions written from their formulas, each with a torch twin (see the tests)."""

from lib.losses.adversarial import (
    discriminator_loss,
    generator_loss,
    gradient_penalty,
    hinge_discriminator_loss,
    hinge_generator_loss,
    wasserstein_critic_loss,
    wasserstein_generator_loss,
)
from lib.losses.classification import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    log_softmax,
    multi_margin_loss,
    nll_loss,
    softmax,
)
from lib.losses.distillation import distillation_loss, kl_div
from lib.losses.embedding import (
    contrastive_loss,
    cosine_embedding_loss,
    info_nce_loss,
    margin_ranking_loss,
    mine_triplets,
    triplet_margin_loss,
)
from lib.losses.focal import sigmoid_focal_loss, softmax_focal_loss
from lib.losses.multitask import UncertaintyWeighting, weighted_loss_sum
from lib.losses.regression import (
    huber_loss,
    l1_loss,
    log_cosh_loss,
    mse_loss,
    quantile_loss,
    smooth_l1_loss,
)
from lib.losses.segmentation import dice_loss

__all__ = [
    "discriminator_loss",
    "generator_loss",
    "gradient_penalty",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
    "wasserstein_critic_loss",
    "wasserstein_generator_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge_loss",
    "log_softmax",
    "multi_margin_loss",
    "nll_loss",
    "sigmoid_focal_loss",
    "softmax",
    "softmax_focal_loss",
    "huber_loss",
    "l1_loss",
    "log_cosh_loss",
    "mse_loss",
    "quantile_loss",
    "smooth_l1_loss",
    "dice_loss",
    "contrastive_loss",
    "cosine_embedding_loss",
    "info_nce_loss",
    "margin_ranking_loss",
    "mine_triplets",
    "triplet_margin_loss",
    "distillation_loss",
    "kl_div",
    "UncertaintyWeighting",
    "weighted_loss_sum",
]
