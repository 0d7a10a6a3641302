"""Every widget and dialog of Ziya Desktop, and the bridge between the GUI thread and the engine's worker.

Import from the modules themselves (``from ziya_desktop.ui.main_window import MainWindow``); this package
imports nothing, so its modules can import each other without cycles through ``__init__``.
"""
