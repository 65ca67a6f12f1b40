"""``hw1-grader review OUT`` (the review page, or ``--status``) and ``hw1-grader override OUT ...`` (one decision from a
terminal, e.g. a regrade request): the review desk's entry point."""

from __future__ import annotations

import sys
import webbrowser
from pathlib import Path

from grader.errors import GraderError
from grader.reporters.rows import points
from grader.review import overrides, queue
from grader.review.desk import Desk, clear, decide


def _out(path: str) -> Path:
    out = Path(path)
    if not (out / "batch.json").is_file():
        raise GraderError(f"{out} holds no batch.json: give the output folder of `hw1-grader batch` (its --out)")
    return out


def status_lines(desk: Desk) -> list[str]:
    groups = desk.groups()
    lines = [queue.progress(groups).sentence()]
    by_item: dict[str, list[int]] = {}
    for g in groups:
        counts = by_item.setdefault(g.item_id, [0, 0, 0, 0])
        counts[0] += len(g.answers)
        counts[1] += 1
        counts[2] += g.left
        counts[3] += not g.decided
    for item_id, (n, ng, left, gleft) in by_item.items():
        lines.append(f"  {item_id}: {left} of {n} answers left, {gleft} of {ng} groups")
    lines += [f"  stale: {a.entry} / {a.result.id} (decided {points(a.override.score)} by {a.override.reviewer} "
              f"for an answer that has changed since)" for g in groups for a in g.answers if a.stale and a.override]
    return lines


def review_command(args) -> int:
    desk = Desk(_out(args.out), args.reviewer or overrides.default_reviewer())
    if args.status:
        print("\n".join(status_lines(desk)))
        return 0
    from grader.review.server import ReviewServer

    try:
        server = ReviewServer(desk, args.port)
    except OSError as e:
        raise GraderError(f"cannot listen on 127.0.0.1:{args.port} ({e}); give another --port, or none") from e
    print(f"hw1-grader review: {status_lines(desk)[0]}\n\nOpen {server.url}\n(reviewer {desk.reviewer}; only this "
          f"machine can reach it, and only with this address; Ctrl-C stops it)", flush=True)
    if not args.no_browser:
        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    print(f"\nstopped; the decisions are in {desk.store.out / overrides.FILE}", file=sys.stderr)
    return 0


def override_command(args) -> int:
    desk = Desk(_out(args.out), args.reviewer or overrides.default_reviewer())
    if args.clear:
        if args.score is not None:
            raise GraderError("give either --score (to decide) or --clear (to remove a decision), not both")
        written = clear(desk.store, desk.rows, args.item, [args.submission])
        what = f"{args.submission} / {args.item}: override cleared, the grader's score counts again"
    else:
        if args.score is None:
            raise GraderError("give --score X (or --clear to remove an override)")
        written = decide(desk.store, desk.rows, args.item, [args.submission], args.score, args.comment or "",
                         desk.reviewer)
        row = next(r for r in written.rows if r.entry == args.submission)
        item = next(i for i in row.report.items if i.id == args.item)  # type: ignore[union-attr]
        what = (f"{args.submission} / {args.item}: {points(args.score)} (the grader's {points(item.score)}), "
                f"reviewed by {desk.reviewer}")
    print("\n".join([what, f"rebuilt: grades.csv, reports, feedback pages, summary in {desk.store.out}",
                     *written.notes]))
    return 0
