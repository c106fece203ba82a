"""What the PDF benchmarks share: a throw-away app on a temporary SQLite database, and timing one
renderer call (wall and CPU time of this process, after a warm-up that loads fonts and stylesheet)."""
from __future__ import annotations

import io
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from pypdf import PdfReader

from portal import create_app
from portal.extensions import db
from portal.services.bootstrap import seed_reference_data


@dataclass
class Timing:
    wall_ms: list[float]
    cpu_ms: list[float]
    pages: int

    @property
    def median(self) -> float:
        return statistics.median(self.wall_ms)

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu_ms)

    def row(self, name: str) -> str:
        return (f"{name:10} {self.pages:5d} {self.median:10.1f} {min(self.wall_ms):7.1f} {max(self.wall_ms):7.1f} "
                f"{self.median_cpu:7.1f}")


HEADER = f"{'pages':>5} {'median ms':>10} {'min':>7} {'max':>7} {'cpu ms':>7}"


@contextmanager
def scratch_app() -> Iterator[None]:
    """An app context (and request context, for links) on a fresh SQLite database with reference data."""
    os.environ.setdefault("PORTAL_ENV", "development")
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db", "SERVER_NAME": "127.0.0.1"})
        with app.app_context(), app.test_request_context("/"):
            db.create_all()
            seed_reference_data()
            try:
                yield
            finally:
                db.session.remove()


def timed(render: Callable[[], bytes], runs: int) -> Timing:
    render()  # warm-up: fonts and stylesheet are kept after the first document
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        data = render()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return Timing(wall, cpu, len(PdfReader(io.BytesIO(data)).pages))
