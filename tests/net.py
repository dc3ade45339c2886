"""Loopback helpers shared by the server fixtures."""

from __future__ import annotations

from simulator.bench import free_port

__all__ = ["free_port"]
