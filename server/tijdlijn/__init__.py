"""Tijdlijn: a real-time session server for casusreconstructie (case reconstruction) meetings."""

__version__ = "0.1.0"
