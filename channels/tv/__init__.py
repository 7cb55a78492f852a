"""The office TV: a unit's live leaderboard page (`/tv/<token>`) and its event stream."""
