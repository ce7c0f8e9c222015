"""The docs: the README is the front door (short, and every doc reachable from it), docs/ holds the
manual, and everything the code names for users (commands, figures, rules, KPIs, formats) is
documented there. Links between the docs, and docs cited by the code, must resolve."""

import argparse
import re
from pathlib import Path

import pytest

from analysis import alerts, formats, kpis, metrics, support
from analysis.__main__ import parser
from tests.conftest import ROOT

README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
MARKDOWN = [README, ROOT / "CONTRIBUTING.md", *DOCS]


def text(name: str) -> str:
    return (ROOT / name).read_text()


def prose(markdown: str) -> str:
    """markdown without fenced code blocks and inline code (their brackets are not links)."""
    markdown = re.sub(r"^```.*?^```", "", markdown, flags=re.M | re.S)
    return re.sub(r"`[^`\n]*`", "", markdown)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    heading = re.sub(r"`", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", heading).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading anchor of a markdown file (a repeated heading gets -1, -2 ...)."""
    found: dict[str, int] = {}
    names = set()
    body = re.sub(r"^```.*?^```", "", path.read_text(), flags=re.M | re.S)
    for match in re.finditer(r"^#{1,6} +(.+?) *#*$", body, flags=re.M):
        name = slug(match.group(1))
        n = found.get(name, 0)
        found[name] = n + 1
        names.add(name if n == 0 else f"{name}-{n}")
    return names


def links(path: Path) -> list[str]:
    """The relative link targets of a markdown file (not web addresses)."""
    targets = re.findall(r"\]\(([^)\s]+)\)", prose(path.read_text()))
    return [t for t in targets if not re.match(r"[a-z]+:", t)]


def resolves(source: Path, target: str) -> bool:
    """Whether a relative link (file, file#anchor or #anchor) from source names a file that exists,
    and a heading of it when there is an anchor."""
    file, _, anchor = target.partition("#")
    path = (source.parent / file).resolve() if file else source
    if not path.exists():
        return False
    return not anchor or (path.suffix == ".md" and anchor in anchors(path))


# -- the README ------------------------------------------------------------------------------------


def test_the_readme_is_short():
    assert len(README.read_text().splitlines()) < 150


def test_the_two_commands_and_ci_agree():
    readme = README.read_text()
    assert "make run" in readme and "make test" in readme
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M)


def test_every_doc_is_linked_from_the_readme():
    targets = {t.partition("#")[0] for t in links(README)}
    assert DOCS, "docs/ holds the manual"
    for doc in DOCS:
        assert f"docs/{doc.name}" in targets, doc.name
    assert "CONTRIBUTING.md" in targets


# -- links -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(path):
    broken = [t for t in links(path) if not resolves(path, t)]
    assert not broken, broken


def test_a_broken_link_or_anchor_is_caught(tmp_path):
    doc = tmp_path / "a.md"
    doc.write_text("# Title\n\n## The `kpis` JSON\n\n## Loading rules\n\n## Loading rules\n")
    assert anchors(doc) == {"title", "the-kpis-json", "loading-rules", "loading-rules-1"}
    assert resolves(doc, "a.md#the-kpis-json") and resolves(doc, "#loading-rules-1")
    assert not resolves(doc, "a.md#loading") and not resolves(doc, "b.md")
    assert links(Path(doc.write_text("[x](b.md) [y](https://e.com) `[z](c.md)`") and doc)) == ["b.md"]


def test_docs_cited_by_the_code_exist():
    """A comment citing docs/...md#anchor names a heading that is there (METRICS.md and the other
    notes outside the repository are not citable)."""
    cited = []
    for path in [*ROOT.glob("*.py"), *ROOT.glob("[a-z]*/**/*.py"), *ROOT.glob("analysis/**/*.sql")]:
        if ".venv" in path.parts:
            continue
        for target in re.findall(r"\b(docs/\w[\w.-]*\.md(?:#[\w-]+)?)", path.read_text()):
            cited.append((path.relative_to(ROOT), target))
    broken = [(p, t) for p, t in cited if not resolves(README, t)]
    assert not broken, broken


# -- what the code names is documented ---------------------------------------------------------------


def commands():
    """(command, action or None) for every command of the parser."""
    found = []
    for name, sub in parser()._subparsers._group_actions[0].choices.items():
        actions = [a for a in sub._actions if a.dest == "action"]
        found += [(name, action) for action in actions[0].choices] if actions else [(name, None)]
    return found


def test_every_command_is_documented_in_operations():
    operations = text("docs/operations.md")
    for name, action in commands():
        assert f"python -m analysis {name}" + (f" {action}" if action else "") in operations, (name, action)


def test_every_option_is_documented_in_operations():
    operations = text("docs/operations.md")

    def options(p):
        for action in p._actions:
            yield from (o for o in action.option_strings if o.startswith("--") and o != "--help")
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    yield from options(sub)

    missing = sorted({o for o in options(parser()) if not re.search(re.escape(o) + r"\b", operations)})
    assert not missing, missing


def test_every_figure_is_defined_in_metrics():
    definitions = text("docs/metrics.md")
    for key in (*metrics.COHORT_KEYS, *support.SUPPORT_KEYS, "adoption_by_age", "stickiness"):
        assert f"`{key}`" in definitions, key


def test_every_rule_its_settings_and_action_are_in_metrics():
    definitions = text("docs/metrics.md")
    section = definitions[definitions.index("## Red-flag rules") : definitions.index("## Alert states")]
    for name, rule in alerts.RULES.items():
        line = next(row for row in section.splitlines() if row.startswith(f"| `{name}` |"))
        assert rule.action in line, name
        for setting, default in rule.settings.items():
            assert f"`{setting}` {default:g}" in line, (name, setting)


def test_every_kpi_is_in_the_kpi_table():
    definitions = text("docs/metrics.md")
    section = definitions[definitions.index("## The KPI table") : definitions.index("## Baselines and locking")]
    for kpi in kpis.KPIS:
        assert f"| `{kpi}` |" in section, kpi


def test_every_format_is_documented_in_formats():
    manual = text("docs/formats.md")
    section = manual[manual.index("## Recognised formats") : manual.index("## Dates")]
    for fmt in formats.registry():
        assert f"`{fmt.name}`" in section, fmt.name
