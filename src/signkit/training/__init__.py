"""Training with Lightning: the LightningModule, callbacks and the fit routine."""

from .callbacks import BestWeights, EpochSeed, EpochTimer, LineProgress
from .fit import fit
from .module import SignClassifier

__all__ = ["SignClassifier", "BestWeights", "EpochTimer", "EpochSeed", "LineProgress", "fit"]
