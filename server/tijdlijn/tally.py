"""Latency histograms observed on the event loop's thread without a lock, read at scrape time.

prometheus-client's ``Histogram.observe`` takes a lock twice per observation (its sum and its
bucket), which a write pays three times (write, fan-out, store). Every observation here comes
from the one event-loop thread, so plain integers do; the scrape (prometheus-client's server
thread) reads them under the GIL and may at worst see one observation in the count and not yet
in the sum. Exported exactly as a prometheus-client histogram: ``_bucket{le}``, ``_count``,
``_sum``, each label set from its first use (so at 0 before anything is observed).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from typing import cast

from prometheus_client import CollectorRegistry
from prometheus_client.core import HistogramMetricFamily
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

# How prometheus-client writes a bucket's bound ("+Inf", "0.005"); untyped there.
_le = cast(Callable[[float], str], floatToGoString)


class Tally:
    """One histogram's counts: observations by bucket (the last one above every bound)."""

    __slots__ = ("bounds", "counts", "total")

    def __init__(self, bounds: tuple[float, ...]) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)
        self.total = 0.0

    def observe(self, amount: float) -> None:
        # The first bound not below ``amount``: "le" (less than or equal) as Prometheus counts.
        self.counts[bisect_left(self.bounds, amount)] += 1
        self.total += amount


class LoopHistogram(Collector):
    """A histogram family (optionally labelled) of :class:`Tally` children."""

    def __init__(
        self,
        name: str,
        documentation: str,
        labelnames: Sequence[str] = (),
        buckets: Sequence[float] = (),
        registry: CollectorRegistry | None = None,
    ) -> None:
        self.name = name
        self.documentation = documentation
        self.labelnames = tuple(labelnames)
        self.bounds = tuple(sorted(buckets))
        self.children: dict[tuple[str, ...], Tally] = {}
        if not self.labelnames:
            self.children[()] = Tally(self.bounds)
        if registry is not None:
            registry.register(self)

    def labels(self, *values: str) -> Tally:
        key = tuple(values)
        if len(key) != len(self.labelnames):
            raise ValueError(f"{self.name}: expected labels {self.labelnames}, got {key}")
        child = self.children.get(key)
        if child is None:
            child = self.children[key] = Tally(self.bounds)
        return child

    def observe(self, amount: float) -> None:
        """For a histogram without labels."""
        self.children[()].observe(amount)

    def collect(self) -> Iterable[HistogramMetricFamily]:
        family = HistogramMetricFamily(self.name, self.documentation, labels=self.labelnames)
        for key, child in list(self.children.items()):
            counts, running = list(child.counts), 0
            buckets = []
            for bound, count in zip((*self.bounds, float("inf")), counts, strict=True):
                running += count
                buckets.append((_le(bound), float(running)))
            family.add_metric(list(key), buckets, child.total)
        yield family

    def describe(self) -> Iterable[HistogramMetricFamily]:
        # Registered with its name known up front (a registry checks for duplicates).
        yield HistogramMetricFamily(self.name, self.documentation, labels=self.labelnames)
