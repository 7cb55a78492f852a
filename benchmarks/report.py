"""How benchmark figures are printed, so every suite speaks the same format."""

from __future__ import annotations

import statistics


def figure(name: str, value: float, unit: str) -> None:
    print(
        f"{name}: {value:.3g} {unit}" if value < 100 else f"{name}: {value:.0f} {unit}", flush=True
    )


def ratio(name: str, numerator: float, denominator: float, explained: str) -> None:
    print(f"ratio {name}: {numerator / denominator:.2f} ({explained})", flush=True)


def latency(name: str, seconds: list[float]) -> tuple[float, float]:
    """Print median and p95 in milliseconds; return them."""
    ordered = sorted(seconds)
    median = statistics.median(ordered) * 1000
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000
    figure(f"{name}_median", median, "ms")
    figure(f"{name}_p95", p95, "ms")
    return median, p95
