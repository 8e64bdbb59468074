"""flytekit's ``flytekit.tools`` paths that user code and tests import (``tools.translator``)."""
