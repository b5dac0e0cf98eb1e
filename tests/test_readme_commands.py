"""Every command the README shows works on a fresh clone, exactly as written.

The commands are read from the README's ```sh blocks when the test runs, so a
command added or changed there is checked with no change here. They run in
order, each in its own shell, in a `git clone` of this repository's committed
HEAD, as a new user would type them: no SECRET_KEY, DEBUG, DATABASE_URL or
settings module of the test run leaks in. The virtualenv is reused through a
`.venv` symlink and make is told not to reinstall it (`-o .venv/.installed`).

A command that prompts (`createsuperuser`) runs in a pseudo-terminal and gets
the answers in PROMPTS, as a user would type them. A few commands cannot run here;
each is listed in SKIPPED with the reason, or in REPLACED with what runs
instead. ```text blocks are examples, not commands.
"""

import os
import pty
import re
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHELL_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)

# Command (as written, comments removed) -> why it is not run.
SKIPPED = [
    (re.compile(r"^make test\b"), "the test suite itself: running it here would recurse"),
    (re.compile(r"^make (audit|browsers)\b"), "installs Chromium and npm packages; CI runs it"),
    (re.compile(r"^make (bench|loadtest)\b"), "minutes of benchmark or load; run on their own"),
    (re.compile(r"^DATABASE_URL=postgres"), "needs a PostgreSQL server, and would write to the database it names"),
    (re.compile(r"…"), "a template with placeholders (…) to fill in"),
    (re.compile(r"(^|/)gunicorn\b"), "a production server: it does not exit"),
    (
        re.compile(r"^(make mutants|\.venv/bin/mutmut run)\b"),
        "mutation testing runs for tens of minutes and edits the code in place while it runs",
    ),
    (
        re.compile(r"manage\.py generate_kb --claims"),
        "generates benchmark-sized data for minutes; tests/test_generate_kb.py runs it at small sizes",
    ),
]
# `make run` ends in runserver, which does not exit: everything before it runs.
REPLACED = {"make run": "the prerequisites of `make run` (it ends in runserver)"}

# Commands that ask questions: (prompt, answer) in the order they are asked.
PASSWORD = "correct horse battery staple"
PROMPTS = {
    ".venv/bin/python manage.py createsuperuser": [
        ("Username", "alice"),
        ("Email address", "alice@example.org"),
        ("Password", PASSWORD),
        ("Password (again)", PASSWORD),
    ],
}

# Variables of this test run that a new user's shell would not have.
LEAKED = ("SECRET_KEY", "DEBUG", "DATABASE_", "DJANGO_SETTINGS_MODULE", "ENV_FILE", "CACHE_", "PAGE_", "PYTEST_")


def readme_commands(text):
    """Each command of each ```sh block: continuation lines joined, comments dropped."""
    commands = []
    for block in SHELL_BLOCK.findall(text):
        for line in block.replace("\\\n", " ").splitlines():
            command = re.sub(r"(^|\s)#.*$", "", line).strip()
            if command:
                commands.append(command)
    return commands


def skip_reason(command):
    for pattern, reason in SKIPPED:
        if pattern.search(command):
            return reason
    return None


def make_prerequisites(makefile, target):
    match = re.search(rf"^{re.escape(target)}:([^=\n]*)$", makefile, re.M)
    assert match, f"no `{target}:` rule in the Makefile"
    return match.group(1).split()


def run_in_terminal(command, answers, **popen):
    """Run `command` on a pseudo-terminal, typing each answer once its prompt has appeared."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(command, stdin=terminal, stdout=terminal, stderr=terminal, **popen)
    os.close(terminal)
    output, pending, deadline = "", list(answers), time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(controller, 4096).decode(errors="replace")
            except OSError:  # the command closed the terminal
                break
            if not chunk:
                break
            output += chunk
        last_line = output.rsplit("\n", 1)[-1]
        if pending and last_line.startswith(pending[0][0]) and last_line.rstrip().endswith(":"):
            os.write(controller, (pending.pop(0)[1] + "\n").encode())
            output += "\n"
        if process.poll() is not None and not ready:
            break
    os.close(controller)
    return process.wait(timeout=10), output


def test_the_readme_commands_are_read_from_its_sh_blocks():
    commands = readme_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    assert "make run" in commands
    assert ".venv/bin/python manage.py createsuperuser" in commands
    assert ".venv/bin/python manage.py export_kb > kb.json" in commands
    assert not any("#" in command for command in commands)
    assert not any(command.endswith("\\") for command in commands)


# Programs the virtualenv provides. Typed bare, a new user's shell finds none of them, or
# another installation's (a global pytest without this project's plugins); and `python`
# is not a command at all on Debian, where `$(python -c …)` left SECRET_KEY empty.
VENV_PROGRAMS = re.compile(r"(?<![\w./-])(?<!-m )(python[\d.]*|pip3?|pytest|mutmut|gunicorn|ruff|locust)\b")
INLINE_CODE = re.compile(r"`([^`\n]+)`")


def test_the_readme_runs_python_tools_from_the_virtualenv_in_commands_and_inline_code():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    # Every command of the ```sh blocks, skipped ones too, and inline code that starts with a program.
    commands = readme_commands(text) + [
        span for span in INLINE_CODE.findall(text) if re.match(r"[\w.]+ -", span) or VENV_PROGRAMS.match(span)
    ]
    bare = [command for command in commands if VENV_PROGRAMS.search(command.replace("$(", " "))]
    assert bare == [], "run these from .venv/bin/, as the README's other commands do"


def test_every_readme_command_works_on_a_fresh_clone(tmp_path):
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    clone = tmp_path / "clone"
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "checkout", "--quiet", head.stdout.strip()], cwd=clone, check=True)
    (clone / ".venv").symlink_to((ROOT / ".venv").resolve())
    assert not (clone / ".env").exists(), ".env must not be committed"

    env = {key: value for key, value in os.environ.items() if not key.startswith(LEAKED)}
    env["MAKEFLAGS"] = "-o .venv/.installed"

    readme = (clone / "README.md").read_text(encoding="utf-8")
    makefile = (clone / "Makefile").read_text(encoding="utf-8")
    ran = []
    for command in readme_commands(readme):
        if skip_reason(command):
            continue
        if command in REPLACED:
            command = "make " + " ".join(make_prerequisites(makefile, command.split()[1]))
        shell = {"shell": True, "executable": shutil.which("bash"), "cwd": clone, "env": env}
        if command in PROMPTS:
            returncode, output = run_in_terminal(command, PROMPTS[command], **shell)
        else:
            result = subprocess.run(
                command, **shell, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600
            )
            returncode, output = result.returncode, result.stdout + result.stderr
        assert returncode == 0, f"`{command}` exited {returncode}:\n{output}"
        assert "Traceback" not in output, f"`{command}`:\n{output}"
        ran.append((command, output))

    # What a new user does first must have run, not been skipped.
    outputs = dict(ran)
    assert ran[0][0] == "make " + " ".join(make_prerequisites(makefile, "run"))
    assert "Superuser created successfully." in outputs[".venv/bin/python manage.py createsuperuser"]
    assert ".venv/bin/python manage.py export_kb > kb.json" in outputs
    # make run wrote the development settings, and export_kb wrote the knowledge base.
    assert "DEBUG=true" in (clone / ".env").read_text(encoding="utf-8").splitlines()
    assert (clone / "kb.json").read_text(encoding="utf-8").startswith("{")
