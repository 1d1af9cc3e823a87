"""recall.operations.gunicorn_conf: workers and threads from the environment; malloc arenas."""

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


# Four threads alive at once, each allocating past Python's small-object allocator (over
# 512 bytes: glibc's malloc), then glibc's own count of its arenas (malloc_stats, stderr).
ARENAS = """
import ctypes, sys, threading
import recall.operations.gunicorn_conf as conf
if sys.argv[1] == "post_fork":
    conf.post_fork(None, None)
barrier = threading.Barrier(4)
def work():
    kept = [bytearray(1000) for _ in range(100)]
    barrier.wait()
threads = [threading.Thread(target=work) for _ in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
ctypes.CDLL(None).malloc_stats()
"""


def arenas(tmp_path, how: str, **env: str) -> int:
    result = run_python(["-c", ARENAS, how], tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return result.stderr.count("Arena ")


def test_a_worker_s_threads_share_two_malloc_arenas(tmp_path):
    # Without the cap each of the four threads gets an arena of its own (glibc: up to
    # 8 a core); post_fork, run in each new worker, caps them at MALLOC_ARENAS.
    assert arenas(tmp_path, "none") == 5
    assert arenas(tmp_path, "post_fork") == 2


def test_malloc_arena_max_in_the_environment_wins(tmp_path):
    assert arenas(tmp_path, "post_fork", MALLOC_ARENA_MAX="1") == 1
