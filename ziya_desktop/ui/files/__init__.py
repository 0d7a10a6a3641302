"""Documents on disk from the window: new, open, save, recent files and export (``file_commands``), the journal of
unsaved edits (``journal_controller``), the recovery dialog after a crash, and the File menu's actions
(``file_actions``)."""
