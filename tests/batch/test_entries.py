"""Which entries a batch folder holds, Gradescope exports with names, and shards."""

from __future__ import annotations

import zipfile

import pytest

from grader.batch.entries import discover, parse_shard, shard
from grader.errors import GraderError
from generate import generate_export


def test_every_folder_zip_py_ipynb_is_one_entry(tmp_path):
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "mlp.py").write_text("x = 1\n")
    (tmp_path / "bob.py").write_text("x = 1\n")
    (tmp_path / "cy.ipynb").write_text("{}")
    (tmp_path / "README.md").write_text("notes")
    (tmp_path / ".DS_Store").write_text("")
    with zipfile.ZipFile(tmp_path / "di.zip", "w") as z:
        z.writestr("di/mlp.py", "x = 1\n")
    entries, skipped = discover(tmp_path)
    assert [e.name for e in entries] == ["alice", "bob.py", "cy.ipynb", "di.zip"]
    assert skipped == ["README.md"]
    assert all(e.students == () for e in entries)


def test_folder_holding_only_a_zip_grades_the_zip(tmp_path):
    (tmp_path / "s1").mkdir()
    with zipfile.ZipFile(tmp_path / "s1" / "netid.zip", "w") as z:
        z.writestr("netid/mlp.py", "x = 1\n")
    (entry,), _ = discover(tmp_path)
    assert entry.name == "s1" and entry.path == tmp_path / "s1" / "netid.zip"


def test_gradescope_export_gives_names_emails_ids_and_keeps_missing_folders(tmp_path):
    generate_export(tmp_path, 4, group_every=3)
    # a submission listed in the metadata whose folder is gone still gets an entry (graded as unreadable)
    (tmp_path / "submission_5001" / "mlp.py").unlink()
    (tmp_path / "submission_5001").rmdir()
    entries, skipped = discover(tmp_path)
    assert skipped == [] and [e.name for e in entries] == [f"submission_{5000 + i}" for i in range(4)]
    group = entries[0]
    assert [s.sid for s in group.students] == ["N10000", "N11000"]
    assert group.students[0].name == "Ada Lovelace" and group.students[0].email == "s0000@example.edu"
    assert entries[1].students[0].sid == "N10001"
    assert entries[2].created_at.startswith("2020-02-10T21:02:00")


def test_unreadable_export_metadata_says_what_to_do(tmp_path):
    (tmp_path / "submission_metadata.yml").write_text(":a: [unclosed\n")
    with pytest.raises(GraderError, match="export the submissions again"):
        discover(tmp_path)


def test_shards_are_disjoint_and_cover_the_batch(tmp_path):
    for i in range(11):
        (tmp_path / f"s{i:02d}.py").write_text("x = 1\n")
    entries, _ = discover(tmp_path)
    slices = [shard(entries, i, 3) for i in (1, 2, 3)]
    names = [e.name for s in slices for e in s]
    assert sorted(names) == [e.name for e in entries] and len(set(names)) == 11
    assert [len(s) for s in slices] == [4, 4, 3]


@pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "1/0"])
def test_bad_shard(text):
    with pytest.raises(GraderError, match="--shard"):
        parse_shard(text)


def test_output_folder_inside_the_batch_folder_is_refused(tmp_path):
    from grader.batch.run import BatchOptions, run_batch
    from grader.rubric import load_rubric

    with pytest.raises(GraderError, match="inside"):
        run_batch(BatchOptions(tmp_path, tmp_path / "out", load_rubric()))
    assert not (tmp_path / "out").exists()


def test_a_class_may_plot_when_a_submission_holds_a_notebook_or_names_a_plotting_library(tmp_path):
    """Then the batch's zygotes import matplotlib once; a class with neither does not pay for it."""
    from grader.batch.entries import may_plot

    (tmp_path / "a.py").write_text("import torch\n# the plot of the loss is in the report\n")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "mlp.py").write_text("x = 1\n")
    (tmp_path / "broken.zip").write_bytes(b"not a zip")
    with zipfile.ZipFile(tmp_path / "locked.zip", "w") as z:
        z.writestr("mlp.py", "import matplotlib\n")
    data = bytearray((tmp_path / "locked.zip").read_bytes())
    data[data.find(b"PK\x03\x04") + 6] |= 1  # encrypted: unreadable, left to its grading to report
    data[data.find(b"PK\x01\x02") + 8] |= 1
    (tmp_path / "locked.zip").write_bytes(bytes(data))
    plain = discover(tmp_path)[0]
    assert may_plot(plain) is False
    for name, files in {"c": {"mlp.py": "import matplotlib.pyplot as plt\n"},
                        "d": {"theory.py": "from pylab import plot\n"},
                        "e": {"sub/hw1.ipynb": "{}"}}.items():
        with zipfile.ZipFile(tmp_path / f"{name}.zip", "w") as z:
            for k, v in files.items():
                z.writestr(k, v)
        assert may_plot(plain + [e for e in discover(tmp_path)[0] if e.name == f"{name}.zip"]) is True, name
    (tmp_path / "f.ipynb").write_text("{}")
    assert may_plot(discover(tmp_path)[0]) is True
