"""Steady-state response curves (:class:`Curves`): a channel's outcome at a weekly or horizon spend, its
marginal return, the bootstrap draws' outcomes and the saturation ceiling."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .base import logistic_saturation, logistic_saturation_deriv


@dataclass
class Curves:
    """Steady-state response curves: weekly outcome of channel c at weekly spend s = beta_c sat(s/scale_c; lam_c).

    ``draws_beta`` / ``draws_lam`` (B, C) hold bootstrap draws for intervals (may be empty)."""

    channels: list[str]
    beta: np.ndarray
    lam: np.ndarray
    scale: np.ndarray
    draws_beta: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    draws_lam: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    def weekly(self, weekly_spend: np.ndarray, beta=None, lam=None) -> np.ndarray:
        """Weekly outcome per channel at ``weekly_spend``: beta_c sat(spend / scale_c; lam_c).

        Parameters
        ----------
        weekly_spend : np.ndarray
            Spend per week per channel (broadcast against ``beta``).
        beta
            Channel maxima (None: the fit's).
        lam
            Saturation rates (None: the fit's).

        Returns
        -------
        np.ndarray
            The outcome.
        """
        b = self.beta if beta is None else beta
        lm = self.lam if lam is None else lam
        return b * logistic_saturation(np.asarray(weekly_spend, dtype=float) / self.scale, lm)

    def horizon(self, total_spend: np.ndarray, weeks: float, beta=None, lam=None) -> np.ndarray:
        """Outcome per channel over ``weeks`` weeks for ``total_spend`` per channel (steady state).

        Parameters
        ----------
        total_spend : np.ndarray
            Spend over the horizon per channel.
        weeks : float
            Weeks of the horizon.
        beta
            Channel maxima (None: the fit's).
        lam
            Saturation rates (None: the fit's).

        Returns
        -------
        np.ndarray
            The outcome per channel.
        """
        return weeks * self.weekly(np.asarray(total_spend, dtype=float) / weeks, beta, lam)

    def marginal(self, total_spend: np.ndarray, weeks: float) -> np.ndarray:
        """d outcome / d spend per channel at ``total_spend`` (same in weekly and horizon terms).

        Parameters
        ----------
        total_spend : np.ndarray
            Spend over the horizon per channel.
        weeks : float
            Weeks of the horizon.

        Returns
        -------
        np.ndarray
            The marginal outcome per unit of spend.
        """
        x = np.asarray(total_spend, dtype=float) / weeks / self.scale
        return self.beta / self.scale * logistic_saturation_deriv(x, self.lam)

    def horizon_draws(self, total_spend: np.ndarray, weeks: float) -> np.ndarray:
        """(B, C) outcome per bootstrap draw.

        Parameters
        ----------
        total_spend : np.ndarray
            Spend over the horizon per channel.
        weeks : float
            Weeks of the horizon.

        Returns
        -------
        np.ndarray
            (B, C) outcomes; empty without draws.
        """
        if self.draws_beta.size == 0:
            return np.zeros((0, len(self.channels)))
        return self.horizon(np.asarray(total_spend, dtype=float)[None, :], weeks, self.draws_beta, self.draws_lam)

    def ceiling(self, weeks: float) -> np.ndarray:
        """The most each channel can bring over ``weeks`` weeks (fully saturated).

        Parameters
        ----------
        weeks : float
            Weeks of the horizon.

        Returns
        -------
        np.ndarray
            ``weeks x beta`` per channel.
        """
        return weeks * self.beta
