"""Extras as in flytekit.extras: accelerators and other optional helpers, imported by their own module path."""
