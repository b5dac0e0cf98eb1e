"""Every command the README shows works on a fresh clone, exactly as written.

The commands are read from the README's ```sh blocks when the test runs, so a
command added or changed there is checked with no change here. They run in
order, each in its own shell, in a `git clone` of this repository's committed
HEAD, as a new user would type them: no SECRET_KEY, DEBUG, DATABASE_URL or
settings module of the test run leaks in. The virtualenv is reused through a
`.venv` symlink and make is told not to reinstall it (`-o .venv/.installed`).

Commands get no terminal, as in CI: `createsuperuser` as written then loads
the settings and database and stops at its prompt with exit 0, which is what
a fresh clone used to fail (no SECRET_KEY). A few commands cannot run here;
each is listed in SKIPPED with the reason, or in REPLACED with what runs
instead. ```text blocks are examples, not commands.
"""

import os
import re
import shutil
import subprocess
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
]
# `make run` ends in runserver, which does not exit: everything before it runs.
REPLACED = {"make run": "the prerequisites of `make run` (it ends in runserver)"}

# Variables of this test run that a new user's shell would not have.
LEAKED = ("SECRET_KEY", "DEBUG", "DATABASE_URL", "DJANGO_SETTINGS_MODULE", "ENV_FILE", "CACHE_DIR", "PYTEST_")


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


def test_the_readme_commands_are_read_from_its_sh_blocks():
    commands = readme_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    assert "make run" in commands
    assert ".venv/bin/python manage.py createsuperuser" in commands
    assert ".venv/bin/python manage.py export_kb > kb.json" in commands
    assert not any("#" in command for command in commands)
    assert not any(command.endswith("\\") for command in commands)


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
        result = subprocess.run(
            command,
            shell=True,
            executable=shutil.which("bash"),
            cwd=clone,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"`{command}` exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        assert "Traceback" not in result.stderr, f"`{command}`:\n{result.stderr}"
        ran.append(command)

    # What a new user does first must have run, not been skipped.
    assert ran[0] == "make " + " ".join(make_prerequisites(makefile, "run"))
    assert ".venv/bin/python manage.py createsuperuser" in ran
    assert ".venv/bin/python manage.py export_kb > kb.json" in ran
    # make run wrote the development settings, and export_kb wrote the knowledge base.
    assert "DEBUG=true" in (clone / ".env").read_text(encoding="utf-8").splitlines()
    assert (clone / "kb.json").read_text(encoding="utf-8").startswith("{")
