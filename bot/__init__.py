"""Marquee: film recommendations, "is it like..." verdicts and movie-night votes for Discord."""

__version__ = "0.1.0"
