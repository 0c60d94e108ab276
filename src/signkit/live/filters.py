"""The One Euro filter (Casiez, Roussel & Vogel, "1€ Filter: A Simple Speed-based Low-pass Filter
for Noisy Input in Interactive Systems", CHI 2012), per joint and coordinate, for landmark streams.

A first-order low-pass filter whose cut-off rises with speed: ``cutoff = min_cutoff + beta * |dx/dt|``
(Hz; ``dx/dt`` in coordinate units per second, itself low-passed at ``d_cutoff`` Hz). Slow movement
is smoothed (jitter removed), fast movement follows with little lag. Joints that are missing in a
frame (not finite, or ``valid`` False) are passed through as they are and their state is reset, so a
hand that reappears starts fresh instead of sliding in from where it vanished.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import SignkitError


def _alpha(cutoff: np.ndarray | float, dt: float) -> np.ndarray | float:
    tau = 1.0 / (2 * math.pi * np.asarray(cutoff))
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """One Euro filter over arrays ``(J, C)`` (any shape; state per element).

    Args:
        min_cutoff: cut-off at rest, Hz (default 1.5). beta: speed coefficient, per coordinate unit
        (default 0.01 for pixels). d_cutoff: cut-off of the speed estimate, Hz (default 1.0).

    Raises:
        SignkitError: a non-positive cut-off, a negative beta, or timestamps that do not increase.
    """

    def __init__(self, min_cutoff: float = 1.5, beta: float = 0.01, d_cutoff: float = 1.0):
        if not (min_cutoff > 0 and d_cutoff > 0 and beta >= 0 and math.isfinite(min_cutoff + beta + d_cutoff)):
            raise SignkitError(f"One Euro filter: expected min_cutoff > 0, d_cutoff > 0, beta >= 0 (finite); "
                               f"found {min_cutoff}, {d_cutoff}, {beta}")
        self.min_cutoff, self.beta, self.d_cutoff = float(min_cutoff), float(beta), float(d_cutoff)
        self.reset()

    def reset(self) -> None:
        self._x = self._dx = None
        self._t: float | None = None

    def __call__(self, x: np.ndarray, t: float, valid: np.ndarray | None = None) -> np.ndarray:
        """The filtered ``x`` at time ``t`` (seconds). ``valid`` (``x.shape[:-1]`` or ``x.shape``) marks
        the present joints; non-finite values count as missing."""
        x = np.asarray(x, np.float64)
        ok = np.isfinite(x)
        if valid is not None:
            v = np.asarray(valid, bool)
            ok &= v[..., None] if v.shape == x.shape[:-1] else v
        if self._x is None or self._x.shape != x.shape:
            self._x, self._dx, self._t = np.where(ok, x, np.nan), np.zeros_like(x), t
            return x.astype(np.float32)
        dt = t - self._t
        if not dt > 0:
            raise SignkitError(f"One Euro filter: timestamps must increase; found {self._t} then {t}")
        self._t = t
        fresh = ok & ~np.isfinite(self._x)  # joints that were missing: start again from the measurement
        with np.errstate(invalid="ignore"):
            dx = np.where(ok & ~fresh, (x - self._x) / dt, 0.0)
        self._dx = self._dx + _alpha(self.d_cutoff, dt) * (dx - self._dx)
        a = _alpha(self.min_cutoff + self.beta * np.abs(self._dx), dt)
        out = np.where(fresh, x, self._x + a * (x - self._x))
        self._x = np.where(ok, out, np.nan)
        self._dx = np.where(ok, self._dx, 0.0)
        return np.where(ok, out, x).astype(np.float32)
