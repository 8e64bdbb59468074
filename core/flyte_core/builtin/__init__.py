"""flyte-core's built-in plugins: one module (or package) per contribution, each an entry point.

Registration modules import nothing but ``flyte_core.plugins``: what they register is named by
``"module:attr"`` strings and imported only when it is used.
"""
