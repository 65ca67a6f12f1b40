"""The review page's HTML: a header with the progress, then one card per group of answers.

A card shows the item, the answer (``render.answer``; an answer of the group written otherwise is shown under it),
what the grader read and why it scored so (its feedback), the rubric's concepts or steps with those it found, the
answers of the group (checked ones are decided together) with the grader's and the reviewer's scores, and the form
that decides them. Everything the students wrote is escaped; the script and style are served by the page's own
server (``static/``), nothing is fetched from elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from grader.reporters.rows import points
from grader.review import render
from grader.review.queue import Answer, Group, Progress
from grader.schemas import Item

e = render.e

MAX_CHECKS = 24  # lines of an item's checks shown on its card
KEYS = [("j / k", "next / previous group"), ("n", "next group left to review"), ("0-9", "score"),
        ("c", "comment"), ("a", "check or uncheck every answer of the group"), ("Enter", "save"),
        ("Esc", "leave a field")]


def _who(a: Answer) -> str:
    names = ", ".join(s.name for s in a.students if s.name)
    return f"{a.entry} ({names})" if names else a.entry


def _rubric(item: Item | None, a: Answer) -> str:
    """The rubric's concepts (or steps) with what the grader found of them, else the item's checks."""
    passed = {c.quantity: c.passed for c in a.result.checks}
    if item is not None and item.concepts:
        wanted = [(c.name, passed.get(c.name)) for c in item.concepts]
        head = "Concepts the rubric looks for"
    elif item is not None and item.steps:
        wanted = [(s.title, passed.get(s.name)) for s in item.steps]
        head = "Steps the rubric expects"
    else:
        wanted = [(f"{c.quantity} [{c.config}]", c.passed) for c in a.result.checks]
        head = "Checks"
    if not wanted:
        return ""
    mark = {True: ("found", "\u2713"), False: ("missing", "\u2717"), None: ("unknown", "?")}
    lis = "".join(f'<li class="{mark[ok][0]}"><span class="mark">{mark[ok][1]}</span> {e(text)}</li>'
                  for text, ok in wanted[:MAX_CHECKS])
    if len(wanted) > MAX_CHECKS:
        lis += f'<li class="unknown">... and {len(wanted) - MAX_CHECKS} more</li>'
    return f'<h3>{head}</h3><ul class="rubric">{lis}</ul>'


def _answer(a: Answer) -> str:
    ans = a.result.answer
    if ans is None:
        return ('<p class="empty">The report keeps no answer text for this item: judge it from what the grader '
                'read (right) and the submission itself.</p>')
    cut = (f'<p class="note">The first {len(ans.text):,} of {ans.chars:,} characters.</p>'
           if ans.chars > len(ans.text) else "")
    return f'<div class="rendered">{render.answer(ans.text, ans.format)}</div>{cut}'


def _decision(a: Answer) -> str:
    o = a.override
    if o is None:
        return '<span class="left">to review</span>'
    text = f"{points(o.score)} by {e(o.reviewer)}" + (f": {e(o.comment)}" if o.comment else "")
    if a.stale:
        return f'<span class="stale" title="the answer changed since this was decided">stale ({text})</span>'
    return f'<span class="done">{text}</span>'


def _members(g: Group) -> str:
    rows = []
    for a in g.answers:
        rows.append(f'<tr class="{"decided" if a.decided else "open"}"><td><input type="checkbox" class="pick" '
                    f'checked data-entry="{e(a.entry)}" aria-label="decide {e(a.entry)}"></td>'
                    f'<td class="who">{e(_who(a))}</td><td>the grader&rsquo;s score {points(a.result.score)}</td>'
                    f'<td class="decision">{_decision(a)}</td></tr>')
    return f'<table class="members">{"".join(rows)}</table>'


def _variants(g: Group) -> str:
    """The group's answers written otherwise than its first (case, spacing, punctuation)."""
    first = g.answers[0].result.answer
    seen = {first.text if first else None}
    out = []
    for a in g.answers[1:]:
        ans = a.result.answer
        if ans is not None and ans.text not in seen:
            seen.add(ans.text)
            out.append(f"<details><summary>as {e(a.entry)} wrote it</summary>{_answer(a)}</details>")
    return "".join(out)


def _decided_as(g: Group):
    """The override every answer of the group is decided with (same score and comment), or None."""
    first = g.answers[0].override
    if first is None or not g.decided:
        return None
    same = all(a.override and (a.override.score, a.override.comment) == (first.score, first.comment)
               for a in g.answers)
    return first if same else None


def card(g: Group) -> str:
    """One group's card (also sent alone after a decision, to replace the old one)."""
    a = g.answers[0]
    r = a.result
    title = g.item.title if g.item else r.title
    count = (f'<span class="badge">{len(g.answers)} answers read the same</span>' if len(g.answers) > 1
             else '<span class="badge single">single answer</span>')
    state = "decided" if g.decided else "open"
    left = "decided" if g.decided else f"{g.left} left"
    regrade = "" if a.flagged else '<span class="badge regrade">regrade</span>'
    same = _decided_as(g)
    value, comment = (points(same.score), same.comment) if same else ("", "")
    return (
        f'<section class="card {state}" id="{g.id}" data-group="{g.id}" data-item="{e(g.item_id)}" '
        f'data-max="{r.max_score:g}" tabindex="-1">'
        f'<h2><span class="item">{e(g.item_id)}</span> {e(title)} {count}{regrade}'
        f'<span class="state">{left}</span></h2>'
        f'<div class="cols"><div class="answer"><h3>Answer</h3>{_answer(a)}{_variants(g)}</div>'
        f'<div class="grader"><h3>What the grader read, and its score: {points(r.score)} / {points(r.max_score)}'
        f'</h3><pre class="feedback">{e(r.feedback)}</pre>{_rubric(g.item, a)}</div></div>'
        f'{_members(g)}'
        f'<form class="decide" autocomplete="off"><label>Score <input type="text" inputmode="decimal" '
        f'name="score" size="5" value="{value}" aria-label="score from 0 to {r.max_score:g}"> / '
        f'{points(r.max_score)}</label> '
        f'<label class="comment">Comment <input type="text" name="comment" maxlength="4000" '
        f'value="{e(comment)}"></label> '
        f'<button type="submit">Save for the checked answers</button> '
        f'<button type="button" class="clear">Clear</button> <span class="msg" role="status"></span></form>'
        f'</section>')


def page(groups: Sequence[Group], progress: Progress, *, title: str, out: str, reviewer: str, token: str) -> str:
    """The whole page. token: sent back with every change (the server refuses a change without it)."""
    keys = " &middot; ".join(f"<kbd>{k}</kbd> {e(what)}" for k, what in KEYS)
    cards = "\n".join(card(g) for g in groups) or '<p class="empty">Nothing to review.</p>'
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>Review: {e(title)}</title><link rel="stylesheet" href="static/review.css">'
        '<link rel="icon" href="static/favicon.svg" type="image/svg+xml"></head>\n'
        f'<body data-token="{e(token)}"><header><h1>Review desk <span class="sub">{e(title)}</span></h1>'
        f'<p class="meta">{e(out)} &middot; reviewer <strong>{e(reviewer)}</strong> &middot; decisions go to '
        f'overrides.json and into grades.csv, the reports, the feedback pages and the summary at once</p>'
        f'<p id="progress" class="progress">{e(progress.sentence())}</p><p class="keys">{keys}</p></header>\n'
        f'<main>\n{cards}\n</main><script src="static/review.js"></script></body></html>\n')
