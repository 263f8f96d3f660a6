"""The live-reload signal and script, and the file watcher behind them, on their own."""

from __future__ import annotations

import queue
import threading
import time
from pathlib import Path

from lgo_letters.serve.livereload import ENDPOINT, ReloadSignal, with_reload_script
from lgo_letters.serve.watcher import Watcher


def waiter(signal: ReloadSignal, since: int) -> tuple[threading.Thread, list[int | None]]:
    """A thread waiting (up to 30 s) for the signal to pass `since`; its answer lands in the
    list."""
    answers: list[int | None] = []
    thread = threading.Thread(target=lambda: answers.append(signal.wait_past(since, 30)))
    thread.start()
    return thread, answers


def test_each_bump_is_the_next_generation() -> None:
    signal = ReloadSignal()
    assert signal.generation == 0
    assert [signal.bump(), signal.bump()] == [1, 2]
    assert signal.generation == 2
    assert len(signal.run) == 12 and signal.run != ReloadSignal().run


def test_a_page_behind_the_signal_is_answered_at_once() -> None:
    signal = ReloadSignal()
    signal.bump()
    assert signal.wait_past(0, timeout=0) == 1


def test_a_waiting_page_is_woken_by_the_next_bump() -> None:
    signal = ReloadSignal()
    thread, answers = waiter(signal, 0)
    signal.bump()
    thread.join(30)
    assert answers == [1]


def test_closing_releases_every_waiting_page_without_a_generation() -> None:
    signal = ReloadSignal()
    threads = [waiter(signal, 0) for _ in range(3)]
    signal.close()
    for thread, answers in threads:
        thread.join(30)
        assert answers == [None]
    assert signal.closed
    signal.bump()
    assert signal.wait_past(0, timeout=0) is None  # closed: nothing more is sent


def test_no_change_within_the_timeout_is_none() -> None:
    assert ReloadSignal().wait_past(0, timeout=0.01) is None


def test_the_script_goes_before_the_last_body_end_tag() -> None:
    html = "<html><body><p>&lt;/body&gt; </p><!-- </body> --></BODY >\n</html>\n"
    page = with_reload_script(html, "0123456789ab", 7)
    script = page[page.index("<script>") : page.index("</script>") + len("</script>\n")]
    assert f'"{ENDPOINT}?run=0123456789ab&since=7"' in script
    assert page.replace(script, "") == html
    assert page.index(script) == html.rindex("</BODY >")


def test_a_page_without_a_body_end_tag_gets_the_script_at_the_end() -> None:
    page = with_reload_script("<p>fragment</p>", "run", 0)
    assert page.startswith("<p>fragment</p><script>") and page.endswith("</script>\n")


def changes_seen(folder: Path, **timing: int) -> tuple[Watcher, queue.Queue[list[Path]]]:
    seen: queue.Queue[list[Path]] = queue.Queue()
    watcher = Watcher([folder], seen.put, **timing)
    watcher.start()
    return watcher, seen


def test_a_save_right_after_start_is_seen(tmp_path: Path) -> None:
    # start() returns once the folder is watched: no pause is needed before saving.
    watcher, seen = changes_seen(tmp_path)
    try:
        (tmp_path / "dacorum.yaml").write_text("name: Dacorum\n")
        assert seen.get(timeout=30) == [tmp_path / "dacorum.yaml"]
    finally:
        watcher.stop()


def test_a_burst_of_saves_is_one_callback(tmp_path: Path) -> None:
    # Changes are gathered until none has come for a quiet period (step): saves closer
    # together than that are one batch. A long quiet period here makes "closer together"
    # certain, and the time the saves took is checked rather than assumed.
    step_ms = 500
    watcher, seen = changes_seen(tmp_path, step_ms=step_ms, debounce_ms=10 * step_ms)
    files = [tmp_path / f"{slug}.yaml" for slug in ("ashfield", "dacorum", "harborough")]
    try:
        started = time.monotonic()
        for file in files:
            file.write_text("name: x\n")
        took = time.monotonic() - started
        assert took < step_ms / 1000 / 2, f"the saves took {took:.2f} s: not one burst"
        assert seen.get(timeout=30) == sorted(files)
        # The next save is a batch of its own: the first held every save of the burst.
        (tmp_path / "worcester.yaml").write_text("name: y\n")
        assert seen.get(timeout=30) == [tmp_path / "worcester.yaml"]
    finally:
        watcher.stop()


def test_a_failing_callback_does_not_stop_the_watching(tmp_path: Path) -> None:
    seen: queue.Queue[list[Path]] = queue.Queue()

    def on_change(changed: list[Path]) -> None:
        seen.put(changed)
        if changed == [tmp_path / "first.yaml"]:
            raise ValueError("a bad edit")

    watcher = Watcher([tmp_path], on_change)
    watcher.start()
    try:
        (tmp_path / "first.yaml").write_text("a: 1\n")
        assert seen.get(timeout=30) == [tmp_path / "first.yaml"]
        (tmp_path / "second.yaml").write_text("a: 2\n")
        assert seen.get(timeout=30) == [tmp_path / "second.yaml"]
    finally:
        watcher.stop()
