"""The ``pyflyte`` command line: the root group and the code shared by built-in commands."""
