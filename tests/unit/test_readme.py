"""The README and docs stay true to the code: every `edimesh ...` command they show resolves in
the CLI (options included), every EDIMESH_* variable they name is read by the code, and the
configuration reference in docs/operations.md is what the settings classes generate."""

from __future__ import annotations

import importlib
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from pydantic import BaseModel
from pydantic_settings import BaseSettings

from edimesh.cli import app
from edimesh.deploy import settings_doc
from edimesh.mesh.topics import BASE

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ("README.md", "docs/architecture.md", "docs/operations.md", "docs/compliance.md")
# Variables read outside a settings class, each by a named constant in the code.
CONSTANTS = (
    "edimesh.mesh.bootstrap:BOOTSTRAP_ENV",
    "edimesh.mesh.schemas:SCHEMA_DIR_ENV",
    "edimesh.localbroker.defaults:ENV_KAFKA_HOME",
    "edimesh.localbroker.defaults:ENV_KAFKA_VERSION",
    "edimesh.localbroker.defaults:ENV_DATA_DIR",
    "edimesh.native:PURE_ENV",
)
_COMMAND_LINE = re.compile(r"^(?:[A-Z_][A-Z0-9_]*=\S*\s+)*(?:\S*/)?edimesh\s+(.*)$")
_INLINE = re.compile(r"`(?:\S*/)?edimesh ([^`]+)`")
_VARIABLE = re.compile(r"\bEDIMESH_[A-Z0-9_]*")


def _text(name: str) -> str:
    return (ROOT / name).read_text("utf-8")


def _fenced_lines(text: str) -> Iterator[str]:
    inside = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            inside = not inside
        elif inside:
            yield line.split(" #", 1)[0].strip()


def shown_commands(text: str) -> list[str]:
    """The argument part of every `edimesh ...` command in code blocks and inline code."""
    found = [m[1] for line in _fenced_lines(text) if (m := _COMMAND_LINE.match(line))]
    found += [m[1] for m in _INLINE.finditer(text)]
    # `run transfer|splitter|validator` shows three commands.
    out = []
    for args in found:
        words = args.split()
        alternatives = next((i for i, w in enumerate(words) if "|" in w and "[" not in w), None)
        if alternatives is None or words[alternatives].startswith("-"):
            out.append(args)
            continue
        head, tail = words[:alternatives], words[alternatives + 1 :]
        out.extend(" ".join([*head, choice, *tail]) for choice in words[alternatives].split("|"))
    return out


def _is_group(command: Any) -> bool:
    # typer ships its own copy of click: duck-type rather than isinstance(click.Group).
    return isinstance(getattr(command, "commands", None), dict)


def resolve(args: str) -> Any:
    """The command `edimesh <args>` runs; fails on an unknown sub-command or option."""
    command: Any = typer.main.get_command(app)
    words = shlex.split(args.replace("[", " ").replace("]", " ").replace("...", " "))
    for word in words:
        if word.startswith("<"):  # a placeholder such as <service>
            break
        if _is_group(command):
            found = command.commands.get(word)
            assert found is not None, f"`edimesh {args}`: no command {word!r}"
            command = found
            continue
        if word.startswith("--"):
            options = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
            name = word.split("=", 1)[0]
            assert name in options, f"`edimesh {args}`: {command.name} has no option {name}"
    return command


def _settings_classes() -> set[type[BaseSettings]]:
    for path in (ROOT / "services/edimesh").rglob("*settings.py"):
        module = ".".join(path.relative_to(ROOT / "services").with_suffix("").parts)
        importlib.import_module(module)
    found: set[type[BaseSettings]] = set()
    pending = list(BaseSettings.__subclasses__())
    while pending:
        cls = pending.pop()
        if cls.__module__.startswith("edimesh."):
            found.add(cls)
        pending.extend(cls.__subclasses__())
    return found


def read_variables() -> set[str]:
    """Every EDIMESH_* variable some settings class, CLI option or named constant reads."""
    names: set[str] = set()
    for cls in _settings_classes():
        prefix = str(cls.model_config.get("env_prefix", ""))
        if not prefix:
            continue
        for field, info in cls.model_fields.items():
            kind = info.annotation
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                continue  # nested settings read their own prefix
            names.update(settings_doc.env_names(cls, field, info))
    for constant in CONSTANTS:
        module, _, attr = constant.partition(":")
        names.add(getattr(importlib.import_module(module), attr))
    stack: list[Any] = [typer.main.get_command(app)]
    while stack:
        command = stack.pop()
        names.update(str(p.envvar) for p in command.params if isinstance(p.envvar, str))
        if _is_group(command):
            stack.extend(command.commands.values())
    return {n for n in names if n.startswith("EDIMESH_")}


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_command_shown_exists(document: str) -> None:
    commands = shown_commands(_text(document))
    for args in commands:
        resolve(args)


def test_the_readme_shows_the_main_commands() -> None:
    commands = {" ".join(c.split()[:2]) for c in shown_commands(_text("README.md"))}
    assert {"local", "dlq replay", "topics tail"} <= commands | {c.split()[0] for c in commands}


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_variable_named_is_read_by_the_code(document: str) -> None:
    known = read_variables()
    for name in sorted(set(_VARIABLE.findall(_text(document)))):
        if name.endswith("_"):  # a prefix, as in EDIMESH_SPLITTER_*
            assert any(k.startswith(name) for k in known), f"{document}: no variable {name}*"
        else:
            assert name in known, f"{document}: {name} is read by no settings class or constant"


def test_the_checks_can_fail() -> None:
    with pytest.raises(AssertionError, match="no command"):
        resolve("no-such-command")
    with pytest.raises(AssertionError, match="no option"):
        resolve("dlq replay --no-such-option")
    assert "EDIMESH_NO_SUCH_VARIABLE" not in read_variables()
    assert shown_commands("```sh\n.venv/bin/edimesh run a|b  # two\n```") == ["run a", "run b"]


def test_the_configuration_reference_is_generated_from_the_settings() -> None:
    document = _text("docs/operations.md")
    start = document.find(settings_doc.BEGIN)
    end = document.find(settings_doc.END) + len(settings_doc.END)
    assert start >= 0, "docs/operations.md has no generated settings block"
    assert document[start:end] == settings_doc.render(), (
        "the settings changed: run python -m edimesh.deploy.settings_doc --write docs/operations.md"
    )


def test_the_test_command_is_what_ci_runs() -> None:
    ci = _text(".ci/run")
    readme = _text("README.md")
    assert ".venv/bin/python -m pytest\n" in ci
    assert "\n.venv/bin/python -m pytest\n" in readme


def _table_rows(text: str, heading: str) -> list[list[str]]:
    section = text.split(heading, 1)[1]
    rows = []
    for line in section.splitlines()[1:]:
        if line.startswith("#"):
            break
        if line.startswith("| `"):
            rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))])
    return rows


def test_the_topics_table_matches_the_declarations() -> None:
    rows = {r[0].strip("`"): r for r in _table_rows(_text("README.md"), "\n## Topics\n")}
    assert set(rows) == {spec.name for spec in BASE.all()}
    for spec in BASE.all():
        row = rows[spec.name]
        assert int(row[1]) == spec.partitions, spec.name
        cleanup = row[4]
        policies = spec.cleanup_policy.value.split(",")
        assert all(policy in cleanup for policy in policies), spec.name
        for absent in {"compact", "delete"} - set(policies):
            assert absent not in cleanup, f"{spec.name}: the table says {cleanup!r}"
        if spec.retention_ms is not None:
            assert f"{spec.retention_ms // 86_400_000} days" in cleanup, spec.name
        if spec.value_schema is not None:
            assert row[3] == spec.value_schema.value, spec.name


def test_every_topic_has_a_way_to_read_it() -> None:
    text = _text("README.md").split("### Reading each topic", 1)[1]
    section = text.split("\n## ", 1)[0]
    rows = _table_rows("\n### x\n" + section, "\n### x\n")
    named = {name.strip("` ") for row in rows for name in row[0].split(",")}
    internal = {BASE.acknowledger_state.name}  # the service's own changelog
    assert {spec.name for spec in BASE.all()} - internal <= named


@pytest.mark.parametrize("document", DOCUMENTS)
def test_python_snippets_compile_and_import(document: str) -> None:
    blocks = re.findall(r"```python\n(.*?)```", _text(document), re.S)
    for block in blocks:
        tree = compile(block, document, "exec", flags=0x400, dont_inherit=True)  # ast only
        assert tree is not None
        for module, names in re.findall(r"^from (edimesh[\w.]*) import (.+)$", block, re.M):
            imported = importlib.import_module(module)
            for name in names.split(","):
                assert hasattr(imported, name.strip()), f"{document}: {module}.{name.strip()}"


@pytest.mark.parametrize("document", DOCUMENTS)
def test_relative_links_point_at_files(document: str) -> None:
    base = (ROOT / document).parent
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", _text(document)):
        if "://" in target:
            continue
        assert (base / target).exists(), f"{document}: broken link {target}"
