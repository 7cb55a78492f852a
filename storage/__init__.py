"""Storage behind one async interface (`Repository`); SQLite is the embedded default."""
