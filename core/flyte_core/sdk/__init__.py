"""Authoring and the local engine: tasks, workflows, promises, launch plans and the constructs."""
