"""Scheduled summaries and reminders (APScheduler), exactly once; charts for them."""
