"""Processes load their tables before the first request and freeze the heap after."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
from pathlib import Path

from contactpoint.core import warmup


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_settle_loads_the_registered_tables_once_and_freezes_the_heap() -> None:
    out = _run(
        """
        import gc
        from contactpoint.core import warmup
        from contactpoint.indicators import warninglists
        from contactpoint.reports import language
        before = (language._model.cache_info().currsize, warninglists._index.cache_info().currsize)
        frozen_before = gc.get_freeze_count()
        first, again = warmup.settle(), warmup.settle()
        after = (language._model.cache_info().currsize, warninglists._index.cache_info().currsize)
        print(before, after, frozen_before, gc.get_freeze_count() > 100_000, first, again)
        """
    )
    assert out == "(0, 0) (1, 1) 0 True True False"


def test_a_failing_warmer_is_logged_and_the_others_still_run() -> None:
    out = _run(
        """
        import gc
        from contactpoint.core import warmup
        ran = []
        @warmup.register
        def broken():
            raise RuntimeError("table missing")
        @warmup.register
        def fine():
            ran.append(1)
        print(warmup.settle(), ran, gc.get_freeze_count() > 0)
        """
    )
    assert out == "True [1] True"


def test_the_web_application_settles_before_serving(tmp_path: Path) -> None:
    out = _run(
        f"""
        from pathlib import Path
        from fastapi.testclient import TestClient
        from contactpoint.app import create_app
        from contactpoint.core import bootstrap, warmup
        from contactpoint.core.config import Settings
        settings = Settings(var_dir=Path({str(tmp_path)!r}), database_url="")
        bootstrap.initialise(settings)
        app = create_app(settings)
        before = warmup.settled()
        with TestClient(app) as client:
            print(before, warmup.settled(), client.get("/login").status_code)
        """
    )
    assert out.splitlines()[-1] == "False True 200"


def test_bulk_collections_restore_the_thresholds_even_on_error() -> None:
    before = gc.get_threshold()
    try:
        with warmup.bulk_collections():
            assert gc.get_threshold() == warmup.BULK_THRESHOLDS != before
            raise RuntimeError("the import failed")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
