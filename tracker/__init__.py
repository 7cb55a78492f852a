"""The domain core: periods, quotas, progress. Knows nothing of Telegram, SMS or SQL."""
