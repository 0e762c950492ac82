"""pytest-irl: the Intelligent Retry Layer for pytest-playwright."""

__version__ = "0.1.0"
