"""Documents on disk: reading, atomic saving and export."""
