"""One document in the editor: its tab, find and replace, Markdown highlighting, UTF-16 positions, and minimal
edits applied as one undo step. Knows nothing of the window, the model or the other features."""
