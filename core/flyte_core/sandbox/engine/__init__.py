"""The sandbox's executor: runs workflows with flytepropeller's semantics, task containers as local processes."""
