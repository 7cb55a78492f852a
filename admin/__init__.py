"""Operator tasks run from the shell: imports, the demo organisation, backups."""
