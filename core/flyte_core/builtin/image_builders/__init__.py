"""Built-in ImageSpec builders, plugins of the ``flyte_image_builders`` hook."""
