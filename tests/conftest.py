"""Fixtures live in tests/support/, one module per area, so helpers do not collide."""

pytest_plugins = [
    "tests.support.redis",
    "tests.support.server",
]
