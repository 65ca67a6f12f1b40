"""As root without Landlock: the mount-namespace fallback holds; without that too, the grader refuses to run
students' code while the sandbox user could read the reference, and says what to do."""

from __future__ import annotations

import pytest

from grader.errors import SandboxError
from grader.sandbox.client import Sandbox
from sandbox_helpers import ADVERSARIAL, AS_ROOT, check_expected

pytestmark = pytest.mark.skipif(not AS_ROOT, reason="the fallbacks are the root mode's")


@pytest.fixture(scope="module")
def mount_sandbox():
    with Sandbox(landlock=False) as sb:
        yield sb


@pytest.mark.parametrize("name", ["adversarial_steal_reference", "adversarial_fake_results_files",
                                  "adversarial_tamper_grader", "adversarial_reverse_shell", "adversarial_daemon"])
def test_mount_namespace_fallback_holds(mount_sandbox, grade_sample, name):
    report = grade_sample(name, mount_sandbox)
    assert "mountns" in mount_sandbox.layers and "netns" in mount_sandbox.layers
    assert not any(x.startswith("landlock") for x in mount_sandbox.layers)
    check_expected(report, ADVERSARIAL[name])
    assert "LEAK" not in report.output, report.output


def test_mount_namespace_fallback_grades_honest_work(mount_sandbox, grade_sample):
    report = grade_sample("correct_fall2020", mount_sandbox)
    assert report.score == report.max_score


def test_without_any_file_isolation_root_refuses_and_says_what_to_do(grade_sample):
    with Sandbox(landlock=False, mountns=False) as sb:
        with pytest.raises(SandboxError, match=r"chmod -R o-rwx .*reference") as err:
            grade_sample("correct_fall2020", sb)
    assert "Landlock" in str(err.value)
