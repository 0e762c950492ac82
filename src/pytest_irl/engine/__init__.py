"""The engine: one step runner (act -> retry -> wait-or-heal -> drift) for actions, assertions and
list queries, the healers that drive the pure core (``heal/``) in the browser, what they learn
(memory), and the recorder of each test's steps.

Imports go one way, down: the wrappers (proxy, actions, assertions) -> ``layer`` -> ``runner`` /
``assertion_steps`` -> ``lists`` / ``healer`` -> ``healing`` (the Healer protocol) -> ``action``,
``context``, ``memory``, ``presence``, ``observer`` -> ``heal/``. Nothing here imports a wrapper
(tests/test_engine_imports.py checks it). Nothing is imported here: a module's importer names it.
"""
