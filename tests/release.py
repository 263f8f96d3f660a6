"""A project of made-up councils for approve, review, status, send and publish: its own
year.yaml (with a sender), the real templates, and letters built once by the real command."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.errorcases import Run, invoke
from tests.helpers import REPO, run_cli
from tests.projects import make_project
from tests.records import council
from tests.smtpserver import Recorder
from tests.years import FACTS

YEAR = 2021
YEAR_RECORD = {
    "letter_date": dt.date(2021, 7, 21),
    "publication_date": dt.date(2021, 7, 28),
    # Districts compare with a given average; counties with one pooled from their records.
    "averages": {"district": {"upheld": 53, "compliance": 100, "satisfactory_remedy": 16}},
    "sender": {
        "name": "Local Government and Social Care Ombudsman",
        "address": "annual.review@ombudsman.example",
        "reply_to": "reviews@ombudsman.example",
    },
    "facts": FACTS[2021],
}

# slug → record. Five can be sent once approved; elsworth is a draft, fenwick has no email.
COUNCILS: dict[str, dict[str, Any]] = {
    "ashby": council(
        name="Ashby District Council",
        email="chief.executive@ashby.example",
        cc=["link.officer@ashby.example", "leader@ashby.example"],
    ),
    "barnfield": council(name="Barnfield District Council", email="ceo@barnfield.example"),
    "carrow": council(
        name="Carrow County Council",
        type="county",
        email="ceo@carrow.example",
        statistics={"investigations": 20, "upheld": 12},
    ),
    "denholm": council(
        name="Denholm County Council",
        type="county",
        email=["ceo@denholm.example", "deputy@denholm.example"],
        statistics={"investigations": 30, "upheld": 15},
    ),
    "ynys-mon": council(name="Cyngor Sir Ynys Môn", email="prif.weithredwr@ynysmon.example"),
    "elsworth": council(name="Elsworth District Council", email="ceo@elsworth.example", draft=True),
    "fenwick": council(name="Fenwick District Council"),
}
SENDABLE = ["ashby", "barnfield", "carrow", "denholm", "ynys-mon"]


def write_record(file: Path, record: dict[str, Any]) -> None:
    file.write_text(yaml.safe_dump(record, sort_keys=False, allow_unicode=True), "utf-8")


def make_release_project(root: Path) -> Path:
    """root/templates, root/data/2021 with COUNCILS, and root/output/2021 built."""
    make_project(root, data=None, years=[YEAR])
    year_dir = root / "data" / str(YEAR)
    write_record(year_dir / "year.yaml", YEAR_RECORD)
    for slug, record in COUNCILS.items():
        write_record(year_dir / "councils" / f"{slug}.yaml", record)
    built = run_cli("build", str(YEAR), *folders(root))
    assert built.returncode == 0, built.stderr
    return root


def folders(root: Path) -> tuple[str, ...]:
    return (
        "--data",
        str(root / "data"),
        "--templates",
        str(root / "templates"),
        "--out",
        str(root / "output"),
    )


def lgo(root: Path, command: str, *args: str) -> Run:
    """`lgo-letters COMMAND 2021 ARGS` on the project at root, in this process."""
    return invoke(command, str(YEAR), *args, *folders(root))


def rebuild(root: Path) -> None:
    result = run_cli("build", str(YEAR), *folders(root))
    assert result.returncode == 0, result.stderr


def change_record(root: Path, slug: str, **statistics: int) -> None:
    file = root / "data" / str(YEAR) / "councils" / f"{slug}.yaml"
    record = yaml.safe_load(file.read_text("utf-8"))
    record["statistics"].update(statistics)
    write_record(file, record)


def make_publishable(root: Path) -> None:
    """Elsworth's figures confirmed: no draft left; then every letter approved."""
    record_file = root / "data" / str(YEAR) / "councils" / "elsworth.yaml"
    record = yaml.safe_load(record_file.read_text())
    record["draft"] = False
    record_file.write_text(yaml.safe_dump(record))
    built = lgo(root, "build", "--only", "elsworth")
    assert built.code == 0, built.stderr
    approved = lgo(root, "approve", "--all", "--by", "Jane Smith")
    assert approved.code == 0, approved.stderr


class Running:
    """`lgo-letters COMMAND 2021 ARGS` on the project at root in a child process (for
    signals, and to watch its lines as they come), its stderr read line by line."""

    def __init__(self, root: Path, command: str, *args: str):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lgo_letters", command, str(YEAR), *args, *folders(root)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.seen: list[str] = []

    def line_with(self, text: str) -> str:
        """The next line of stderr that holds `text` (the command has printed it)."""
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"it ended without saying {text!r}:\n{''.join(self.seen)}")

    def finish(self) -> Run:
        """Its exit code and all it printed, once it has ended."""
        stdout, stderr = self.process.communicate(timeout=120)
        return Run(self.process.returncode, stdout, "".join(self.seen) + stderr)


# What the send tests ask of a project after a send (tests/release/test_send*.py).
def approve_all(root: Path) -> None:
    result = lgo(root, "approve", "--all", "--by", "Jane Smith")
    assert "approved ashby" in result.stdout, result.stderr


def sent_log(root: Path) -> list[dict]:
    """Every entry of sent.yaml: each attempt, sent or failed."""
    file = root / "data" / str(YEAR) / "sent.yaml"
    return (yaml.safe_load(file.read_text()) or {}).get("sent") or [] if file.exists() else []


def sent_councils(root: Path) -> list[str]:
    """The councils of the messages the server accepted, in order."""
    return [e["council"] for e in sent_log(root) if e.get("result", "sent") == "sent"]


def councils_of(recorder: Recorder) -> list[str]:
    """Each received message's council, from its attachment's file name."""
    names = []
    for received in recorder.received:
        (attachment,) = received.message.iter_attachments()
        names.append(attachment.get_filename().removesuffix(f"-annual-review-letter-{YEAR}.pdf"))
    return names
