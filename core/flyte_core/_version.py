"""The version of flyte-core and of every plugin distribution beside it, kept in this one place.

Each plugin's ``_version.py`` (``plugins/*/flyte_plugin_*/_version.py``) is a link to this file, so the
distributions are built with the same version; ``pyflyte --version`` and ``pyflyte plugins`` show them.
"""

__version__ = "0.1.0"
