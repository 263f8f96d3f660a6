"""How fast `lgo-letters build` is, measured on a synthetic year (`make bench`).

Not a test: it prints figures, measured in one run on this machine, for
 (0) the machine itself: how many times the letters of one process N WeasyPrint processes
     rendering at once get through (the ceiling of (3) over (2) here),
 (1) the weasyprint command-line tool run once per letter, making the same PDF/UA-1 file
     as a build (a sample, extrapolated to N),
 (2) one in-process worker building all N PDFs,
 (3) `lgo-letters build` with the default number of jobs,
 (4) rebuilding the unchanged year,
 (5) HTML only for all N,
 (6) peak RSS per worker over a long run (--rss-letters, default 2,000), read from
     /proc as the build reports each letter done,
 (7) one headless Chromium kept running and asked to print each letter over the DevTools
     protocol (a sample, extrapolated to N); skipped, saying so, without a chromium.

Timings on a shared virtual machine swing by 20% or more from minute to minute, so (2)
to (5) are each run --repeat times (default 2, alternating) and the best run is reported.

    python tests/benchmark.py [--councils 340] [--sample 8] [--repeat 2] [--rss-letters 2000]
"""

from __future__ import annotations

import argparse
import base64
import gc
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Run as a script: the repository root on the path, so `tests.synthetic` imports.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lgo_letters.build import BuildOptions, build_year
from lgo_letters.build.progress import BuildProgress
from lgo_letters.inputs import harfbuzz_subset_available
from lgo_letters.layout.jobs import PdfJob, PdfWritten
from lgo_letters.layout.pool import default_jobs
from lgo_letters.layout.worker import init_worker, render_pdf
from lgo_letters.letter import Letter, make_letter
from lgo_letters.output import commit
from lgo_letters.project import Paths, prepare_year
from lgo_letters.renderer.fonts import font_face_css
from lgo_letters.report import err
from tests.synthetic import YEAR, make_project

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def machine_parallelism(jobs: int, letters: list[Path], project: Path, work: Path) -> float:
    """How many times the letters of one WeasyPrint process `jobs` processes rendering at
    once get through: what this machine allows (3) over (2), whatever the build does."""

    # Each process runs in_process() below on the same letters and prints its seconds.
    program = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r}); "
        "from pathlib import Path; from tests.benchmark import in_process; "
        "print(in_process([Path(f) for f in sys.argv[3:]], Path(sys.argv[1]), Path(sys.argv[2])))"
    )

    def render(processes: int) -> float:
        command = [sys.executable, "-c", program, str(project), str(work), *map(str, letters)]
        running = [
            subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(processes)
        ]
        return max(float(process.communicate()[0]) for process in running)

    alone = min(render(1) for _ in range(2))
    together = min(render(jobs) for _ in range(2))
    return jobs * alone / together


def timed_cli(project: Path, *args: str, fresh: str | None = None) -> float:
    """Seconds for `lgo-letters build YEAR *args`; `fresh` names an output folder to empty
    first, so the build starts from nothing."""
    if fresh:
        shutil.rmtree(project / fresh, ignore_errors=True)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "lgo_letters", "build", str(YEAR), *args],
        cwd=project,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"build {' '.join(args)} failed:\n{result.stderr}")
    return seconds


def html_letters(project: Path, out: str) -> list[Path]:
    return sorted((project / out / str(YEAR)).glob("*.html"))


def weasyprint_cli(sample: list[Path], work: Path) -> float:
    """Seconds a letter for the weasyprint command, as a user would run it per letter."""
    fonts = work / "fonts.css"
    fonts.write_text(font_face_css())
    command = shutil.which("weasyprint", path=str(Path(sys.executable).parent))
    started = time.perf_counter()
    for html in sample:
        subprocess.run(
            [
                command,
                "--pdf-variant",
                "pdf/ua-1",
                "-s",
                str(fonts),
                str(html),
                str(work / f"{html.stem}.pdf"),
            ],
            check=True,
            capture_output=True,
        )
    return (time.perf_counter() - started) / len(sample)


def in_process(letters: list[Path], project: Path, work: Path) -> float:
    """Seconds for one worker, in this process, to lay out and write every letter's PDF
    (set up as a build's worker is, garbage-collector settings included). The letters are
    made as a build makes them (document and stylesheet apart); only the PDFs are timed."""
    prepared = prepare_year(Paths(project / "data", project / "templates"), YEAR)
    jobs = []
    for html in letters:
        letter = make_letter(prepared, html.stem)
        if not isinstance(letter, Letter):
            sys.exit(f"{html.stem}: {letter}")
        target = work / f"{html.stem}.pdf"
        jobs.append(PdfJob(html.stem, letter.document, target, "", letter.stylesheet))
    # Set up as a worker is, this process being its own build; but a worker ignores Ctrl-C
    # (its build decides how to stop), and the benchmark must not.
    ctrl_c = signal.getsignal(signal.SIGINT)
    init_worker(project / "templates", build_pid=os.getpid())
    signal.signal(signal.SIGINT, ctrl_c)
    started = time.perf_counter()
    for job in jobs:
        outcome = render_pdf(job)
        if not isinstance(outcome, PdfWritten):
            sys.exit(f"{job.slug}: {outcome}")
        commit(outcome.temporary, job.target)  # as the build puts a worker's PDF in place
    seconds = time.perf_counter() - started
    gc.unfreeze()
    return seconds


class Chromium:
    """A headless Chromium kept running, driven over the DevTools protocol on a pipe."""

    def __init__(self, executable: str):
        self.to_chrome_read, self.to_chrome = os.pipe()
        self.from_chrome, self.from_chrome_write = os.pipe()

        def wire_pipes() -> None:  # Chromium reads commands on fd 3, answers on fd 4
            os.dup2(self.to_chrome_read, 3)
            os.dup2(self.from_chrome_write, 4)

        self.process = subprocess.Popen(
            [
                executable,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--remote-debugging-pipe",
                "--no-first-run",
                "about:blank",
            ],
            preexec_fn=wire_pipes,
            pass_fds=(3, 4),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(self.to_chrome_read)
        os.close(self.from_chrome_write)
        self.buffer = b""
        self.next_id = 0
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        self.call("Page.enable", session=self.session)

    def _read(self) -> dict:
        while b"\0" not in self.buffer:
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed its DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, session: str | None = None, **params: object) -> dict:
        self.next_id += 1
        message: dict = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def print_pdf(self, html: Path) -> bytes:
        self.call("Page.navigate", session=self.session, url=html.resolve().as_uri())
        while self._read().get("method") != "Page.loadEventFired":
            pass
        result = self.call(
            "Page.printToPDF", session=self.session, preferCSSPageSize=True, printBackground=True
        )
        return base64.b64decode(result["data"])

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        os.close(self.to_chrome)
        os.close(self.from_chrome)


def chromium(sample: list[Path], work: Path) -> tuple[float, str] | None:
    """Seconds a letter for a kept-running Chromium (after it started), or None."""
    executable = next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)
    if executable is None:
        return None
    version = subprocess.run([executable, "--version"], capture_output=True, text=True).stdout
    # Chromium has no FontConfiguration: give it the same fonts in the page itself.
    fonts = f"<style>{font_face_css()}</style>"
    pages = []
    for html in sample:
        page = work / html.name
        page.write_text(html.read_text().replace("</head>", fonts + "</head>", 1))
        pages.append(page)
    browser = Chromium(executable)
    try:
        browser.print_pdf(pages[0])  # warm up: first page load compiles and caches fonts
        started = time.perf_counter()
        for page in pages:
            (work / f"{page.stem}.pdf").write_bytes(browser.print_pdf(page))
        return (time.perf_counter() - started) / len(pages), version.strip()
    finally:
        browser.close()


class WorkerMemory(BuildProgress):
    """The build's progress, quiet, that samples each worker process's peak resident memory
    (VmHWM in /proc/<pid>/status, the kernel's own high-water mark) whenever the build
    reports a letter done. The workers are the fork server's children: this process's
    grandchildren."""

    def __init__(self) -> None:
        super().__init__(err, quiet=True)
        self.peaks_kb: dict[int, tuple[int, int]] = {}  # pid: (first sample, last sample)

    def letter(self, slug: str, message: str, failed: bool = False) -> None:
        super().letter(slug, message, failed)
        for pid in _grandchildren(os.getpid()):
            peak = _peak_rss_kb(pid)
            if peak is not None:
                first, _ = self.peaks_kb.get(pid, (peak, 0))
                self.peaks_kb[pid] = (first, peak)


def _grandchildren(pid: int) -> list[int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
    children = {child for child, parent in parents.items() if parent == pid}
    return sorted(child for child, parent in parents.items() if parent in children)


def _peak_rss_kb(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def rss_run(letters: int, jobs: int) -> tuple[float, dict[int, tuple[int, int]]]:
    with tempfile.TemporaryDirectory(prefix="lgo-bench-rss-") as folder:
        project = make_project(Path(folder), letters)
        paths = Paths(project / "data", project / "templates", project / "output")
        memory = WorkerMemory()
        started = time.perf_counter()
        report = build_year(paths, YEAR, BuildOptions(jobs=jobs), memory)
        if report.exit_code != 0:
            sys.exit(f"the {letters}-letter run failed: {report.failures[:3]}")
        return time.perf_counter() - started, memory.peaks_kb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--councils", type=int, default=340, help="synthetic councils (N)")
    parser.add_argument(
        "--sample", type=int, default=8, help="letters timed for (1) and (7), extrapolated to N"
    )
    parser.add_argument(
        "--repeat", type=int, default=2, help="runs of (2) to (5); the best is reported"
    )
    parser.add_argument(
        "--rss-letters", type=int, default=2000, help="letters in the memory run (6); 0 skips it"
    )
    args = parser.parse_args()
    n, jobs = args.councils, default_jobs()

    print(
        f"machine: {os.cpu_count()} CPU(s) ({jobs} usable), {platform.machine()}, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.2f} at start"
    )
    print(f"font subsetting: {'HarfBuzz' if harfbuzz_subset_available() else 'fontTools'}")
    print(f"synthetic year: {n} councils\n")
    with tempfile.TemporaryDirectory(prefix="lgo-bench-") as folder:
        root = Path(folder)
        project = make_project(root / "project", n)
        work = root / "work"
        work.mkdir()

        html_only = min(
            timed_cli(project, "--format", "html", "--out", "html-only", fresh="html-only")
            for _ in range(args.repeat)
        )
        letters = html_letters(project, "html-only")
        sample = letters[: args.sample]
        cli = weasyprint_cli(sample, work)
        parallel_sample = letters[:30]
        parallelism = machine_parallelism(jobs, parallel_sample, project, work)
        singles, builds, unchanged_runs = [], [], []
        for _ in range(args.repeat):  # alternating, so a slow minute does not hit one only
            singles.append(in_process(letters, project, work))
            builds.append(timed_cli(project, fresh="output"))
            unchanged_runs.append(timed_cli(project))
        single, build, unchanged = min(singles), min(builds), min(unchanged_runs)
        # (2) and (3) measured back to back: their ratio, pair by pair, is the least
        # disturbed by the machine's speed changing between one pair and the next.
        paired = ", ".join(f"{s / b:.2f}x" for s, b in zip(singles, builds, strict=True))
        browser = chromium(sample, work)

        def line(label: str, seconds: float, note: str = "") -> None:
            print(f"{label:<44} {seconds:8.1f} s  {1000 * seconds / n:6.0f} ms/letter  {note}")

        print(
            f"(0) {jobs} WeasyPrint processes rendering at once get through "
            f"{parallelism:.2f}x the letters of one ({len(parallel_sample)} letters each, "
            f"best of 2; ideal {jobs}x)"
        )
        print(f"(2) to (5): best of {args.repeat} runs")
        line(
            "(1) weasyprint command, once per letter",
            cli * n,
            f"(sample of {len(sample)}, extrapolated)",
        )
        line("(2) one in-process worker", single)
        line(f"(3) lgo-letters build, {jobs} jobs", build)
        line("(4) rebuild, nothing changed", unchanged)
        line("(5) HTML only", html_only)
        if browser is None:
            print(
                "(7) kept-running headless Chromium: skipped, no chromium on PATH "
                "(Debian: apt-get install chromium)"
            )
        else:
            line(
                "(7) kept-running headless Chromium",
                browser[0] * n,
                f"(sample of {len(sample)}, extrapolated; {browser[1]})",
            )
        print()
        print(f"(3) vs (1): {cli * n / build:.1f}x faster (target >= 10x)")
        print(
            f"(3) vs (2): {single / build:.2f}x faster (target >= 1.8x; "
            f"this machine's ceiling (0): {parallelism:.2f}x); run by run: {paired}"
        )
        if browser is not None:
            print(f"(3) vs (7): {browser[0] * n / build:.2f}x faster (target > 1x)")
        print(f"(4) {unchanged:.2f} s (target < 2 s); (5) {html_only:.2f} s (target < 2 s)")

    if args.rss_letters:
        seconds, workers = rss_run(args.rss_letters, jobs)
        first = [start / 1024 for start, _ in workers.values()]
        peaks = [peak / 1024 for _, peak in workers.values()]
        print(
            f"\n(6) {args.rss_letters} letters in {seconds:.0f} s by {len(workers)} worker "
            f"processes ({jobs} at a time, recycled): peak RSS per worker "
            f"min {min(peaks):.0f} / median {statistics.median(peaks):.0f} / "
            f"max {max(peaks):.0f} MB (target < 120 MB)"
        )
        print(
            f"    at each worker's first sample (its first letter or two): "
            f"median {statistics.median(first):.0f} MB; "
            f"first worker's peak {peaks[0]:.0f} MB, last worker's {peaks[-1]:.0f} MB"
        )
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
