"""Leaderboards, year-end emulation scores and badges: pure functions, the day passed in."""
