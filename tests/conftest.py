"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import pytest

# ---------------------------------------------------------------- mirror (offline site mirror) ----
from crawler.demo import fixtures_dir
from crawler.demo.mirror import SiteSpec, build_mirror
from crawler.demo.server import MirrorServer


@pytest.fixture
def mirror_server() -> Iterator[Callable[[Sequence[SiteSpec]], MirrorServer]]:
    """Factory: start a MirrorServer on 127.0.0.1 for the given site specs; stopped after the test."""
    servers: list[MirrorServer] = []

    def start(specs: Sequence[SiteSpec]) -> MirrorServer:
        server = MirrorServer(build_mirror(specs, fixtures_dir())).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


# ---------------------------------------------------------------- end of mirror section ----
