"""The ``[cluster]`` settings: where the shared crawl frontier and the Ray cluster are, and how many workers.

When ``frontier`` is set, crawls (the scheduler's jobs included) run ``--processes workers`` crawler processes
sharing that Redis frontier; when ``ray_address`` is set, scoring fans out to ``workers`` Ray workers there.
Both empty (the default): everything runs in one process on this machine, as without a cluster.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

FRONTIER_SCHEMES = ("redis://", "rediss://", "unix://")


class ClusterSettings(BaseModel):
    """The shared crawl frontier (a Redis URL), the Ray cluster's address and the worker count per step."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    frontier: str = ""
    ray_address: str = ""
    workers: int = Field(default=2, ge=1, le=256)

    @field_validator("frontier")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(FRONTIER_SCHEMES):
            raise ValueError("expected a Redis URL such as redis://127.0.0.1:6379/0 (or empty: no shared frontier)")
        return value

    @field_validator("ray_address")
    @classmethod
    def _ray_address(cls, value: str) -> str:
        value = value.strip()
        if any(c.isspace() for c in value):
            raise ValueError("expected a Ray address as ray.init takes it: auto, host:port or ray://host:port "
                             "(or empty: score in this process)")
        return value

    def crawl_args(self) -> list[str]:
        """The options a crawl gets on this cluster: the shared frontier and the process count (none if unset)."""
        return ["--frontier", self.frontier, "--processes", str(self.workers)] if self.frontier else []

    def score_args(self) -> list[str]:
        """The options a scoring run gets on this cluster: the Ray address and the worker count (none if unset)."""
        return ["--ray", self.ray_address, "--workers", str(self.workers)] if self.ray_address else []
