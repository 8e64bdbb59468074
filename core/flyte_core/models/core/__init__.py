"""flytekit's ``flytekit.models.core`` paths: execution phases and resource types."""
