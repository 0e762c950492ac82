"""The code that reaches into Playwright beyond its public API (``compat``)."""
