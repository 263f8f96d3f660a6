"""How the commands are made: each one's options are declared once (in cli.py) and reach its
run function as one frozen value; a command returns an outcome or raises one of the errors
module's kinds, and the exit code each means is decided by one table (errors.EXIT_CODES);
no command module imports another."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
import signal
from collections.abc import Callable
from contextlib import chdir
from importlib import import_module
from pathlib import Path

import pytest

from lgo_letters.errors import (
    EXIT_CODES,
    InputError,
    Interrupted,
    Outcome,
    OutputError,
    Problem,
    TemplateError,
    UsageError,
    exit_code,
)
from tests.errorcases import Run, invoke
from tests.helpers import REPO

PACKAGE = REPO / "lgo_letters"
COMMANDS = sorted((PACKAGE / "commands").glob("*.py"))


def _tree(file: Path) -> ast.Module:
    return ast.parse(file.read_text(), str(file))


def _run_functions() -> list[tuple[str, Callable[..., object]]]:
    found = []
    for file in COMMANDS:
        module = import_module(f"lgo_letters.commands.{file.stem}")
        found += [
            (f"{file.stem}.{name}", function)
            for name, function in inspect.getmembers(module, inspect.isfunction)
            if name.startswith("run_") and function.__module__ == module.__name__
        ]
    return found


# --- one table of exit codes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("result", "code"),
    [
        (Outcome.OK, 0),
        (Outcome.FAILED, 1),
        (InputError([Problem(Path("a.yaml"), 1, 1, "x", "bad")]), 1),
        (TemplateError("letter.html.j2:3: no such variable"), 1),
        (OutputError("output/2021: read-only"), 1),
        (UsageError("no year 1999"), 2),
        (KeyError("a fault in lgo-letters"), 70),
        (Interrupted(signal.SIGINT), 130),
        (Interrupted(signal.SIGTERM), 143),
    ],
)
def test_each_outcome_and_error_kind_has_its_exit_code(result: object, code: int) -> None:
    assert exit_code(result) == code  # type: ignore[arg-type]


def test_the_readme_lists_exactly_the_codes_of_the_table() -> None:
    readme = (REPO / "README.md").read_text()
    table = readme.split("Exit codes, the same for every command:", 1)[1].split("\n\n", 2)[1]
    documented = {int(code) for code in re.findall(r"\*\*(\d+)\*\*", table)}
    produced = set(EXIT_CODES.values()) | {
        exit_code(KeyError()),
        exit_code(Interrupted(signal.SIGINT)),
        exit_code(Interrupted(signal.SIGTERM)),
    }
    assert documented == produced == {0, 1, 2, 70, 130, 143}


def _literal_code(node: ast.expr | None) -> bool:
    """An exit code written as a number: `1`, `128 + signal.SIGINT`, `1 if x else 0`."""
    if isinstance(node, ast.Constant):
        return type(node.value) is int
    if isinstance(node, ast.BinOp):
        return _literal_code(node.left) or _literal_code(node.right)
    if isinstance(node, ast.IfExp):
        return _literal_code(node.body) or _literal_code(node.orelse)
    return False


@pytest.mark.parametrize("file", [*COMMANDS, PACKAGE / "cli.py"], ids=lambda f: f.name)
def test_no_command_decides_an_exit_code(file: Path) -> None:
    """A command returns an Outcome or Interrupted (or raises); only errors.exit_code turns
    them into numbers. Counting functions may still return numbers: only functions that
    return a command's result are looked at, and every run_* function is one."""
    tree = _tree(file)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "lgo_letters.errors":
            names = {alias.name for alias in node.names}
            assert not {n for n in names if n.startswith("EXIT_")}, (file, names)
        if isinstance(node, ast.Attribute):
            assert node.attr != "exit_code", f"{file.name}:{node.lineno} reads an exit code"
        if not isinstance(node, ast.FunctionDef):
            continue
        returns = ast.unparse(node.returns) if node.returns else ""
        if node.name.startswith("run_"):
            assert returns == "Result", f"{file.name}: {node.name} returns {returns or '?'}"
        if returns in ("Result", "Outcome"):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Return):
                    assert not _literal_code(inner.value), (
                        f"{file.name}:{inner.lineno}: {ast.unparse(inner)}"
                    )


# --- one options value per command -------------------------------------------------------------


def test_each_command_takes_its_folders_the_year_and_one_frozen_options_value() -> None:
    runs = _run_functions()
    assert len(runs) >= 19, [name for name, _ in runs]
    for name, run in runs:
        parameters = list(inspect.signature(run, eval_str=True).parameters.values())
        assert len(parameters) <= 3, f"{name} takes {len(parameters)} parameters"
        assert parameters[0].name == "paths", name
        if len(parameters) == 1 or parameters[-1].name == "year":
            continue  # nothing but its folders and year: `averages`
        options = parameters[-1].annotation
        assert dataclasses.is_dataclass(options), f"{name}: {options} is not a dataclass"
        assert options.__dataclass_params__.frozen, f"{name}: {options.__name__} is not frozen"  # type: ignore[attr-defined]
        fields = {field.name for field in dataclasses.fields(options)}
        assert fields.isdisjoint({"paths", "data", "templates", "out", "year"}), name


def test_typer_reads_the_commands_own_signatures() -> None:
    """Nothing rewrites a signature (as `with_paths` did, through typer's internals)."""
    for file in [*COMMANDS, PACKAGE / "cli.py"]:
        text = file.read_text()
        assert "__signature__" not in text, file.name
        assert "del run.__wrapped__" not in text, file.name
        assert "with_paths" not in text, file.name


def test_options_that_cannot_go_together_are_refused_when_the_value_is_made() -> None:
    from lgo_letters.commands.approve import ApproveOptions
    from lgo_letters.commands.checking import CompareOptions
    from lgo_letters.commands.send import SendOptions
    from lgo_letters.commands.status import StatusOptions

    with pytest.raises(UsageError, match="--ssl, --no-tls and --user go with --smtp"):
        SendOptions(user="letters")
    with pytest.raises(UsageError, match="give --json or --csv, not both"):
        StatusOptions(as_json=True, as_csv=True)
    with pytest.raises(UsageError, match="give --json or --csv, not both"):
        CompareOptions(as_json=True, as_csv=True)
    with pytest.raises(UsageError, match="name the councils to approve, or give --all"):
        ApproveOptions(slugs=("ashby",), every=True)
    options = SendOptions(only=("ashby",), smtp="localhost:25", no_tls=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.smtp = "elsewhere:25"  # type: ignore[misc]


# --- no command imports another ----------------------------------------------------------------


@pytest.mark.parametrize("file", COMMANDS, ids=lambda f: f.name)
def test_no_command_module_imports_another(file: Path) -> None:
    for node in ast.walk(_tree(file)):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        else:
            continue
        for module in modules:
            assert not module.startswith("lgo_letters.commands"), f"{file.name} imports {module}"


# --- --help still lists every option, in its order ---------------------------------------------

FOLDERS = "--data --templates --out"
OPTIONS = {
    command: options.split()
    for command, options in {
        "build": f"--only --format --jobs --force --clean --combined --strict {FOLDERS}",
        "preview": f"--pdf --png --open --sources {FOLDERS}",
        "serve": f"--port --open --review {FOLDERS}",
        "validate": f"--strict {FOLDERS}",
        "averages": "--data --templates",
        "new-year": "--from --dry-run --data --templates",
        "formats diff": "--council --data --templates",
        "formats schema": f"--to {FOLDERS}",
        "import": "--sheet --mapping --create --dry-run --allow-approved --by --data --templates",
        "trace": "--json --data --templates",
        "compare": "--with --flagged --json --csv --data --templates",
        "export": f"--to --with-previous {FOLDERS}",
        "check": f"--update {FOLDERS}",
        "approve": f"--all --by {FOLDERS}",
        "unapprove": f"--reason --by {FOLDERS}",
        "review": FOLDERS,
        "status": f"--json --csv --failed {FOLDERS}",
        "send": "--only --resend --smtp --ssl --no-tls --user --rate --timeout --verbose "
        + FOLDERS,
        "publish": f"--to --base-url {FOLDERS}",
    }.items()
}


def test_every_command_is_in_the_table_below() -> None:
    from typer.main import get_command

    from lgo_letters.cli import app

    group = get_command(app)
    names = set()
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        names |= {f"{name} {sub}" for sub in subcommands} if subcommands else {name}
    assert names == set(OPTIONS)


@pytest.mark.parametrize("command", sorted(OPTIONS))
def test_help_lists_every_option_in_order(command: str) -> None:
    result = invoke(*command.split(), "--help")
    assert result.code == 0, result.stderr
    rows = result.stdout.split("Options", 1)[1].splitlines()
    listed = re.findall(r"^│ (?:\*  |   )?(--[a-z][a-z-]*)", "\n".join(rows), re.MULTILINE)
    assert [option for option in listed if option != "--help"] == OPTIONS[command]


# --- each documented exit code, from a real run ------------------------------------------------


def _run(project: Path, *args: str) -> Run:
    with chdir(project):
        return invoke(*args)


def test_exit_0_when_all_is_good(project: Path) -> None:
    result = _run(project, "validate", "2021")
    assert result.code == 0, result.stderr
    assert "all good: 1 record(s) in 2021" in result.stderr


def test_exit_1_when_a_record_has_problems(project: Path) -> None:
    record = project / "data/2021/councils/dartford.yaml"
    record.write_text(record.read_text().replace("name:", "nmae:", 1))
    result = _run(project, "validate", "2021")
    assert result.code == 1
    assert "data/2021/councils/dartford.yaml:" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", "1999"], "error: "),
        (["status", "2021", "--json", "--csv"], "error: give --json or --csv, not both\n"),
        (["send", "2021", "--user", "me"], "error: --ssl, --no-tls and --user go with --smtp\n"),
        (["approve", "2021"], "error: name the councils to approve, or give --all (not both)\n"),
    ],
)
def test_exit_2_when_the_command_cannot_run_as_asked(
    project: Path, args: list[str], message: str
) -> None:
    result = _run(project, *args)
    assert result.code == 2
    assert result.stderr.startswith(message), result.stderr


def test_exit_70_on_a_fault_in_lgo_letters(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fault(*args: object) -> Outcome:
        raise KeyError("an unexpected internal fault")

    monkeypatch.setenv("LGO_LETTERS_LOG_DIR", str(tmp_path))
    monkeypatch.setattr("lgo_letters.commands.status.run_status", fault)
    result = _run(project, "status", "2021")
    assert result.code == 70
    assert result.stderr.startswith("internal error in lgo-letters"), result.stderr


def test_exit_130_when_ctrl_c_stops_a_command(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def ctrl_c(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    # A second Ctrl-C stops a build at once; one in any command ends it with 130 too.
    monkeypatch.setattr("lgo_letters.commands.build.build_year", ctrl_c)
    result = _run(project, "build", "2021", "--format", "html")
    assert (result.code, result.stderr) == (
        130,
        "2021: build stopped at once; run it again to finish\n",
    )
    monkeypatch.setattr("lgo_letters.commands.status.load_year_state", ctrl_c)
    assert _run(project, "status", "2021").code == 130
