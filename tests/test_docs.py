"""The README is the front door: everything the code names for users is documented there."""
import re

from analysis import metrics
from analysis.__main__ import parser
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_every_cohort_figure_is_defined_in_the_readme():
    for key in metrics.COHORT_KEYS:
        assert f"`{key}`" in README, key
    assert "`adoption_by_age`" in README


def test_every_command_is_documented():
    commands = parser()._subparsers._group_actions[0].choices
    for name, sub in commands.items():
        actions = [a for a in sub._actions if a.dest == "action"]
        if actions:
            for action in actions[0].choices:
                assert f"python -m analysis {name} {action}" in README, (name, action)
        else:
            assert f"python -m analysis {name}" in README, name


def test_the_two_commands_and_ci_agree():
    assert "make run" in README and "make test" in README
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M)
