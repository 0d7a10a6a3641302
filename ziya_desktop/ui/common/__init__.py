"""What every feature of the window uses: settings (the only reader of ``settings.ini``), the UI language and its
translations, the notice strip, the status bar's fields, and :class:`~.window_services.WindowServices`, the part of
the window that commands may use, and ``action_collection``, with which each feature makes its actions."""
