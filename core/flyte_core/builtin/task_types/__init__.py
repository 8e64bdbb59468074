"""Built-in task types, plugins of the ``flyte_task_types`` hook."""
