"""The window itself: the main window that wires the features together, its menus and toolbar composed from the
features' action collections (``window_actions``), its own actions (``view_actions``: close, quit, edit, view,
theme, language), and the light and dark themes."""
