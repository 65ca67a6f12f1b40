"""Make student-like submissions from sample_submissions/ for the batch tests and the batch benchmark.

Each is a copy of one correct_, wrong_ or broken_ sample (round robin over a seeded shuffle) with its own header
comment and blank lines, so every copy has its own source hash and so its own random cases, handed in as one of:
a folder, a .zip with a netid/ top folder, a flat .zip, or a bare mlp.py (samples with more than mlp.py stay
folders or zips).

    python tests/batch/generate.py DEST N [--seed S] [--export]

--export lays DEST out like Gradescope's "Export submissions": submission_<id>/ folders and
submission_metadata.yml with made-up students.
"""

from __future__ import annotations

import argparse
import random
import zipfile
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "sample_submissions"
FIRST = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "John", "Radia", "Ken"]
LAST = ["Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "Backus", "Perlman", "Thompson"]


def samples() -> list[Path]:
    """The correct_, wrong_ and broken_ samples (the adversarial ones test the sandbox, not a class)."""
    return sorted(p for p in SAMPLES.iterdir() if p.is_dir() and p.name.split("_")[0] in ("correct", "wrong", "broken")
                  and any(f.suffix in (".py", ".ipynb") for f in p.iterdir()))


def _files(sample: Path, i: int, rng: random.Random) -> dict[str, bytes]:
    """The sample's files, mlp.py (and theory.py) given a header and some blank lines of their own."""
    out = {}
    for f in sorted(sample.iterdir()):
        if not f.is_file() or f.name.startswith("."):
            continue
        data = f.read_bytes()
        if f.suffix == ".py":
            text = data.decode("utf-8")
            who = f"{FIRST[i % 10]} {LAST[(i // 10) % 10]}"
            header = f"# Homework 1, student {i:04d} ({who})\n" + "\n" * rng.randrange(3)
            data = (header + text + "\n" * rng.randrange(2)).encode("utf-8")
        out[f.name] = data
    return out


def _write(dest: Path, name: str, files: dict[str, bytes], form: int) -> Path:
    if form == 3 and set(files) == {"mlp.py"}:
        path = dest / f"{name}.py"
        path.write_bytes(files["mlp.py"])
        return path
    if form == 0:
        path = dest / name
        path.mkdir()
        for fn, data in files.items():
            (path / fn).write_bytes(data)
        return path
    path = dest / f"{name}.zip"
    with zipfile.ZipFile(path, "w") as z:
        for fn, data in files.items():
            z.writestr(f"{name}/{fn}" if form == 1 else fn, data)
    return path


def generate(dest: Path, n: int, seed: int = 0) -> list[Path]:
    """n submissions named student_0000... in dest (created); returns their paths."""
    dest.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    pool = samples()
    rng.shuffle(pool)
    return [_write(dest, f"student_{i:04d}", _files(pool[i % len(pool)], i, rng), rng.randrange(4))
            for i in range(n)]


def student(i: int) -> dict[str, str]:
    return {"name": f"{FIRST[i % 10]} {LAST[(i // 10) % 10]}", "email": f"s{i:04d}@example.edu",
            "sid": f"N{10000 + i}"}


def generate_export(dest: Path, n: int, seed: int = 0, group_every: int = 0) -> list[Path]:
    """A Gradescope export: submission_<id>/ folders and submission_metadata.yml (Ruby symbol keys, one Ruby
    type tag). Every ``group_every``-th submission is a group of two."""
    dest.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    pool = samples()
    paths, yml = [], ["---"]
    for i in range(n):
        folder = dest / f"submission_{5000 + i}"
        folder.mkdir()
        for fn, data in _files(pool[i % len(pool)], i, rng).items():
            (folder / fn).write_bytes(data)
        paths.append(folder)
        people = [student(i)] + ([student(1000 + i)] if group_every and i % group_every == 0 else [])
        yml += [f":submission_{5000 + i}:", "  :submitters:"]
        for p in people:
            yml += [f"  - :name: {p['name']}", f"    :sid: '{p['sid']}'", f"    :email: {p['email']}"]
        yml += ["  :created_at: 2020-02-10 21:{:02d}:00.000000000 -05:00".format(i % 60),
                "  :score: !ruby/object:BigDecimal 18:0.0", "  :status: processed"]
    (dest / "submission_metadata.yml").write_text("\n".join(yml) + "\n", encoding="utf-8")
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dest", type=Path)
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--export", action="store_true", help="lay out a Gradescope export")
    args = ap.parse_args()
    if args.dest.exists() and any(args.dest.iterdir()):
        raise SystemExit(f"{args.dest} is not empty")
    made = (generate_export if args.export else generate)(args.dest, args.n, args.seed)
    print(f"{len(made)} submissions in {args.dest}")


if __name__ == "__main__":
    main()
