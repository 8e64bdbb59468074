"""Authoring and the local engine: tasks, workflows, promises, context, launch plans and the constructs."""
