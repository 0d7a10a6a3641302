"""The window itself: the main window that wires the features together, its menus, toolbar and shortcuts
(``window_actions``), the light and dark themes, and the translated hints of error messages."""
