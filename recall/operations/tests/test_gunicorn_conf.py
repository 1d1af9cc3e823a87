"""recall.operations.gunicorn_conf: workers and threads from the environment."""

from __future__ import annotations

from recall.tests.processes import run_python

READ = "import recall.operations.gunicorn_conf as c; print(c.workers, c.threads)"


def test_a_worker_has_four_threads_unless_told(tmp_path):
    result = run_python(["-c", READ], tmp_path, GUNICORN_WORKERS="3")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["3", "4"]


def test_gunicorn_threads_sets_them(tmp_path):
    for threads in ("1", "8"):
        result = run_python(["-c", READ], tmp_path, GUNICORN_THREADS=threads)

        assert result.returncode == 0, result.stderr
        assert result.stdout.split()[1] == threads


def test_a_thread_count_below_one_stops_start_up(tmp_path):
    result = run_python(["-c", READ], tmp_path, GUNICORN_THREADS="0")

    assert result.returncode != 0
    assert "GUNICORN_THREADS" in result.stderr
