"""flytekit's ``flytekit.core.*`` module paths, mapped onto flyte-core's own modules.

Code written for flytekit imports from modules such as ``flytekit.core.context_manager``; after the
rename to ``flyte_core.core.context_manager`` it finds the same names here. Each of these modules is
made on first import from the table in :mod:`flyte_core._compat.aliases`.
"""

from flyte_core._compat.finder import install

install(__name__)
