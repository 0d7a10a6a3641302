"""Every widget and dialog of Ziya Desktop, and the bridge between the GUI thread and the engine's worker, in one
package per feature (layered, checked by ``lint-imports``; top to bottom):

- ``shell``: the main window, its menus and toolbar, themes;
- ``files``: open, save, export, the journal of unsaved edits, crash recovery;
- ``generation``: the engine's worker thread, generation and the writing commands, the rewrite review;
- ``templates`` and ``models``: the template panel and editor; the model library window;
- ``common``: settings, the UI language, the notice strip, the status bar, the window services commands use;
- ``editor``: a document tab, find and replace, highlighting.

Import from the modules themselves (``from ziya_desktop.ui.shell.main_window import MainWindow``); the packages
import nothing in their ``__init__``, so no import runs through them.
"""
