"""flytekit's module paths, in one place: the alias tables and the import machinery that serves them.

Code written for flytekit keeps its imports after the rename (``flytekit.core.task`` ->
``flyte_core.core.task``). The real code lives in flyte-core's layers; the flytekit paths only point at it:

* ``aliases.py``: which flyte-core modules hold the names of each ``flyte_core.core.*`` module, and where each
  name of ``flyte_core.extend`` lives;
* ``finder.py``: the import hook that makes the ``flyte_core.core.*`` modules from that table on first import.

The smaller paths (``flyte_core.configuration``, ``.models.*``, ``.deck``, ``.image_spec``, ``.extras.*``,
``.tools.translator``) are plain re-exporting modules, so that editors and type checkers follow them; none
holds code of its own.
"""
