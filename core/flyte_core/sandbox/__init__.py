"""The embedded sandbox: a Flyte control plane and executor in one local process (``pyflyte sandbox``).

See ``README.md`` in this package for how it is built.
"""
