"""The thresholds a change in a weekly stance series must pass to become an alert: the ``[alerts]`` settings.

One model for both the settings file and the detector (the shell's Settings composes it as its table; no
defaults here: ``stancewatch/defaults.toml`` holds them). Kept apart from insights.alerts so loading the
settings never imports ruptures.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class AlertRules(BaseModel):
    """When a change in a weekly stance series becomes a stance-shift alert (insights.alerts)."""

    # allow_inf_nan: TOML has inf and nan, which would otherwise pass the bounds below.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    min_articles_per_side: int = Field(ge=2)
    min_outlets_per_side: int = Field(ge=1)
    min_effect: float = Field(ge=0, le=2)
    penalty: float = Field(gt=0)
    min_weeks_per_side: int = Field(ge=1)
    refine_weeks: int = Field(ge=0, le=8)
    movers: int = Field(ge=1)
    evidence_articles: int = Field(ge=1)
