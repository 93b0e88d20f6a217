"""A logistic model over standardized signals: the form both decisions take.

Logistic because each decision is fitted on a few hundred candidates (tuning sets and the
ARCD training split): a model with one weight a signal, an L2 penalty and standardized
inputs is what that much data supports, and its weights can be read (docs/evaluation.md).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Logistic:
    weights: dict[str, float]
    means: dict[str, float]
    scales: dict[str, float]
    bias: float

    @classmethod
    def from_dict(cls, raw: dict) -> "Logistic":
        return cls(dict(raw["weights"]), dict(raw["means"]), dict(raw["scales"]), float(raw["bias"]))

    def to_dict(self) -> dict:
        return asdict(self)

    def pull(self, values: dict[str, float], key: str) -> float:
        """How far signal `key` moves this case's log-odds from the average case."""
        return self.weights[key] * (values.get(key, self.means[key]) - self.means[key]) / (self.scales[key] or 1.0)

    def probability(self, values: dict[str, float]) -> float:
        z = self.bias + sum(self.pull(values, k) for k in self.weights)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def weakest(self, values: dict[str, float]) -> str:
        """The signal that pulls this case down most (named in the outcome's reason)."""
        return min(self.weights, key=lambda k: self.pull(values, k)) if self.weights else ""


def fit(x_rows: list[dict[str, float]], labels: list[bool], features: tuple[str, ...], l2: float = 1.0) -> Logistic:
    """Logistic regression by Newton's method on standardized features."""
    import numpy as np

    x = np.array([[r.get(k, 0.0) for k in features] for r in x_rows], dtype=float)
    y = np.array([float(v) for v in labels])
    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[scales == 0] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - means) / scales])
    w = np.zeros(z.shape[1])
    penalty = np.diag([1e-4] + [l2] * len(features))  # a whisper on the bias keeps a one-sided fold solvable
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(z @ w, -30, 30)))
        grad = z.T @ (p - y) + penalty @ w
        hess = (z.T * (p * (1 - p))) @ z + penalty
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return Logistic(
        {k: round(float(v), 5) for k, v in zip(features, w[1:])},
        {k: round(float(v), 5) for k, v in zip(features, means)},
        {k: round(float(v), 5) for k, v in zip(features, scales)},
        round(float(w[0]), 5),
    )
