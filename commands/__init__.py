"""User commands, channel-agnostic: a parsed request in, a `Reply` out."""
