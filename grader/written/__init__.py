"""Part 1 handed in as a written document (Markdown, LaTeX, a notebook's markdown, a PDF), graded by meaning.

One entry point, ``answer(submission, plans, rubric) -> Written``: for each theory item that no code answers, what
the sandbox would have returned for theory.py (an ``ItemFrame`` and its arrays), so compare, diagnose and score
grade both forms alike; and ``Written.annotate`` adds to each finished item what was read (the formula as parsed,
written back as LaTeX), what could not be read (with the text seen) and whether the score is provisional.

  documents (grader.load) -> document.questions: the text and cells of each question (tex.py, pdf.py, labels.py)
    -> cell.read: the formula of a cell (normalize.py repairs, latex.py reads with SymPy's parse_latex)
    -> sheet: evaluate.py on the items' own cases, with the student's earlier answers -> frames
No student text is ever run: formulas are read into trees and evaluated by the grader's own walk of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from grader.checks import CHECKS
from grader.checks.answers import kept_answer
from grader.schemas import ItemResult, Rubric
from grader.schemas.report import Diagnosis, WrittenCell
from grader.schemas.sandbox import ItemFrame
from grader.schemas.submission import Document, Submission
from grader.written import document as documents
from grader.written import pdf, sheet
from grader.written.labels import reference

#: The names a theory.py (or notebook) defines for each check kind: code answers an item when it names them.
CODE_NAMES = {"forward_pass": ("forward_pass",), "gradients": ("gradients",), "jacobians": ("jacobians",),
              "single_point": ("forward_pass", "gradients", "jacobians"), "steps": ("FIVE_STEPS",),
              "free_text": ("RELU_BENEFITS",), "train_step": ("train_step",)}
NO_THEORY = ("Part 1 not handed in: no theory.py in the submission, and no written answers (.md, .tex, .pdf or "
             "a notebook's markdown)")
CODE_ONLY = ("train_step is answered in code only (theory.py or a notebook); the written steps are graded in "
             "1.1(a)'s steps item")
REVIEW = "This score is provisional: some answers could not be read with confidence, and a person will grade them."


#: Formulas like those of most answer sheets: reading them once fills the parser's cache of operator skeletons
#: (a batch's forkserver does it before it forks its workers, ``grader.engine.warm``).
WARM = (r"W^{(1)} x + b^{(1)}", r"1 - \hat{y}", r"\hat{y} - y", r"x^T", r"(\hat y - y) z_2^T", r"x z_2 z_3",
        r"x z_2 z_3 z_1", r"x z_2 z_3 z_1 y", r"\frac{1}{2}\|\hat{y} - y\|^2", r"\frac{1}{2} y", r"\frac{y}{x}",
        r"\frac{\hat{y} - y}{\hat y (1 - \hat y)}", r"-y", r"x^{T} y^{T}", r"1 + e^{-z_3}", r"\frac{1}{1 + e^{-z_3}}",
        r"y^T \log \hat y + (1 - y)^T \log(1 - \hat y)", r"y \log \hat y + (1 - y) \log(1 - \hat y)",
        r"x / y", r"y^{2}", r"x + y^{2}", r"\frac{1}{K} x y")


def warm() -> int:
    """Read ``WARM`` once (the parses are cached for every sheet after it). Returns how many were read."""
    from grader.written.latex import Unreadable, read_cached

    n = 0
    for text in WARM:
        try:
            read_cached(text)
            n += 1
        except Unreadable:
            pass
    return n


@dataclass
class Written:
    """What the written sheet answers: item id -> (frame, arrays, error), and what the report should say."""

    items: dict[str, tuple[ItemFrame | None, dict[str, np.ndarray], str | None]] = field(default_factory=dict)
    cells: dict[str, list[WrittenCell]] = field(default_factory=dict)
    provisional: set[str] = field(default_factory=set)
    flags: list[str] = field(default_factory=list)  # for a person to act on
    notes: list[str] = field(default_factory=list)  # for the student and the instructor, nothing to decide
    same_as: dict[str, str] = field(default_factory=dict)  # code-only item -> the written item scored for it
    source: str = ""

    def share(self, results: list[ItemResult]) -> list[ItemResult]:
        """``results`` with each code-only item scored as the written item ``same_as`` names (its fraction)."""
        by_id = {r.id: r for r in results}
        out = []
        for r in results:
            source = by_id.get(self.same_as.get(r.id, ""))
            if source is not None and source.max_score > 0:
                text = (f"Answered in writing: {source.id} grades the same question, and this item takes its "
                        f"fraction ({source.score:g} / {source.max_score:g}).")
                r = r.model_copy(update={
                    "score": round(r.max_score * source.score / source.max_score, 4), "status": source.status,
                    "error": None, "provisional": source.provisional, "feedback": text,
                    "student_feedback": text if r.visibility == "visible" else r.student_feedback})
            out.append(r)
        return out

    def annotate(self, result: ItemResult) -> ItemResult:
        """The item's result with what was read from the sheet, and provisional when something was not."""
        if result.id not in self.items:
            return result
        cells = self.cells.get(result.id, [])
        lines = _read_lines(cells, self.source)
        provisional = result.id in self.provisional
        extra = "\n".join(lines + ([REVIEW] if provisional else []))
        if not extra:
            return result
        answer = result.answer
        if provisional and answer is None and cells:
            answer = kept_answer(_answer_text(cells))
        return result.model_copy(update={
            "written": cells, "provisional": provisional or result.provisional, "answer": answer,
            "diagnoses": result.diagnoses + _missing_transposes(cells, result),
            "feedback": f"{result.feedback}\n{extra}", "student_feedback": f"{result.student_feedback}\n{extra}"
            if result.student_feedback and result.visibility == "visible" else result.student_feedback})


def _answer_text(cells: list[WrittenCell]) -> str:
    """The item's written answer for its reviewer, in Markdown, as the student wrote it: one line per quantity with
    what the grader made of it. No file or line: equal answers of two students read the same (one review group)."""
    out = []
    for c in cells:
        said = c.text.strip() or "(nothing)"
        made = {"read": f"read as ${c.latex}$", "guessed": f"read, after guessing, as ${c.latex}$",
                "wrong": f"read as ${c.latex}$: {c.note}", "unread": f"not read: {c.note}",
                "missing": "no answer found", "blank": "left blank"}[c.status]
        out.append(f"- **{c.quantity}**: {said if c.status != 'missing' else ''} ({made})")
    return "\n".join(out)


def _missing_transposes(cells: list[WrittenCell], result: ItemResult) -> list[Diagnosis]:
    """A named mistake for the cells whose product or sum is not defined until a transpose is added."""
    if any(d.code == "missing_transpose" for d in result.diagnoses):
        return []
    hit = list(dict.fromkeys(c.quantity for c in cells if c.status == "wrong" and "a transpose is missing" in c.note))
    if not hit:
        return []
    return [Diagnosis(code="missing_transpose", quantities=hit, message=(
        f"A transpose is missing in {', '.join(hit)}: as written, the formula multiplies (or adds) a column vector "
        f"with another column vector, which is not defined. A gradient by a weight matrix is an outer product, "
        f"such as (dl/dz) z^T: check each factor's shape, and mark the transpose (^T or ^\\top)."))]


def _read_lines(cells: list[WrittenCell], source: str) -> list[str]:
    if not cells:
        return []
    out = [f"Read from {source}:" if source else "Read from the written answers:"]
    for c in cells:
        where = f" ({c.where})" if c.where else ""
        if c.status in ("read", "guessed", "wrong") and c.latex:
            note = f" [read after guessing: {c.note}]" if c.status == "guessed" else \
                f" [{c.note}]" if c.status == "wrong" else ""
            out.append(f"- {c.quantity}{where}: ${c.latex}${note}")
        elif c.status == "unread":
            out.append(f"- {c.quantity}{where}: NOT READ ({c.note}); the text was {c.text[:200]!r}")
        elif c.status == "blank":
            out.append(f"- {c.quantity}{where}: left blank")
        elif c.status == "missing":
            out.append(f"- {c.quantity}: no answer found{': ' + c.note if c.note else ''}")
        elif c.text:
            out.append(f"- {c.quantity}{where}: {c.text[:200]!r}")
    return out


# ------------------------------------------------------------------------------------------------- entry
def answer(sub: Submission, plans, rubric: Rubric) -> Written:
    """The theory items a written sheet answers (``plans``: objects with ``.item`` and ``.cases``). Items that code
    answers are left out; without code or documents, the theory items share one short message and one flag."""
    code = sub.module_for("theory")
    source = "\n".join(c.source for c in code.cells) if code else ""
    wanted = [p for p in plans if p.item.module == "theory" and p.item.check in CODE_NAMES
              and not any(re.search(rf"\b{n}\b", source) for n in CODE_NAMES[p.item.check])]
    out = Written()
    if not wanted or (code is not None and not sub.documents):
        return out  # theory code answers (or its missing names are reported by the sandbox, as always)
    if not sub.documents:
        out.items = {p.item.id: (None, {}, NO_THEORY) for p in wanted}
        out.notes.append("Part 1: no theory answers in any form (theory.py, a notebook, .md, .tex or .pdf); its "
                         "items score 0")
        return out
    found, problems = _read_documents(sub.documents)
    out.source = ", ".join(q.filename for q in found) or ", ".join(d.filename for d in sub.documents)
    if not any(q.texts for q in found):
        why = "; ".join(problems) or (f"no question labels such as '1.1 (b)' were found in "
                                      f"{', '.join(d.filename for d in sub.documents)}")
        message = f"Part 1's written answers could not be read ({why}); a person will grade Part 1 by hand"
        out.items = {p.item.id: (None, {}, message) for p in wanted}
        out.provisional = {p.item.id for p in wanted}
        out.flags.append(message)
        return out
    _compile(out, wanted, rubric, _merge(found))
    out.flags += [f"{i}: written answers not read with confidence, to be reviewed by hand" for i in
                  sorted(out.provisional)]
    return out


def _read_documents(docs: list[Document]) -> tuple[list[documents.Questions], list[str]]:
    order = {"markdown": 0, "latex": 0, "notebook": 1, "pdf": 2}
    found, problems = [], []
    for d in sorted(docs, key=lambda d: order[d.kind]):
        text = d.text
        if d.kind == "pdf":
            text, why = pdf.text_layer(d.data)
            if not pdf.has_text(text):
                problems.append(f"{d.filename} has no text layer (a scan, or math as images): hand in the .md or "
                                f".tex source of your answers to have Part 1 graded automatically" if not why
                                else f"{d.filename}: {why[0]}")
                continue
        found.append(documents.questions(d.filename, text, d.kind))
    return found, problems


def _merge(found: list[documents.Questions]) -> documents.Questions:
    """One set of questions: each question from the first document that answers it."""
    out = documents.Questions(filename=", ".join(q.filename for q in found))
    for q in found:
        for label, text in q.texts.items():
            if label not in out.texts:
                out.texts[label], out.lines[label] = text, q.lines[label]
                out.cells += [c for c in q.cells if c.question == label]
    return out


def _compile(out: Written, wanted, rubric: Rubric, qs: documents.Questions) -> None:
    questions = rubric.written.questions
    point = [p for p in wanted if p.item.check in sheet.POINT_KINDS]
    groups: dict[str, list] = {}
    for p in point:
        groups.setdefault(p.item.configs[0].label, []).append(p)
    prepared = {label: _group_cells(ps, questions, qs) for label, ps in groups.items()}
    for label, ps in groups.items():
        config, conv = _config(ps[0], rubric)
        for c in prepared[label].values():
            sheet.plan_cell(c, config, conv)
    layout = _layouts(out, prepared, rubric)
    for index, p in enumerate(wanted):
        item, kind = p.item, CHECKS[p.item.check]
        question = questions.get(item.id)
        if item.check == "train_step":
            out.items[item.id] = (None, {}, CODE_ONLY)
            if item.id in rubric.written.same_as:
                out.same_as[item.id] = rubric.written.same_as[item.id]
        elif item.check in ("steps", "free_text"):
            _text_item(out, p, question, qs)
        else:
            config, conv = _config(p, rubric)
            cells = prepared[item.configs[0].label]
            results = [sheet.run_group(cells, config, conv, case, layout) for case in p.cases]
            out.items[item.id] = (*sheet.frame(item.id, index, results, kind.quantities), None)
            mine = [cells[q] for q in kind.quantities]
            out.cells[item.id] = [c.record(config.label) for c in mine]
            if any(c.status in ("unread", "guessed", "missing") for c in mine):
                out.provisional.add(item.id)


def _config(p, rubric: Rubric):
    config = p.item.configs[0]
    return config, getattr(rubric.conventions, CHECKS[p.item.check].convention)[config.loss]


def _group_cells(ps, questions: dict[str, str], qs: documents.Questions) -> dict[str, sheet._Cell]:
    """quantity -> cell for a group of items sharing a configuration (each item's own question first)."""
    own = [questions.get(p.item.id) for p in ps]
    cells: dict[str, sheet._Cell] = {}
    for q in sheet.ORDER:
        found = next((c for label in own if label for c in qs.cells if c.question == label and c.quantity == q),
                     None)
        found = found or _referred(q, own, qs)
        cells[q] = sheet.prepare(q, found)
        if found is None:
            ask = next((p for p in ps if q in CHECKS[p.item.check].quantities), None)
            label = questions.get(ask.item.id) if ask else None
            cells[q].why = f"nothing under {label} answers it" if label and label in qs.texts else \
                f"no answer to {label} was found" if label else ""
    return cells


def _referred(q: str, own: list[str | None], qs: documents.Questions):
    """An answer that says 'same as 1.1(b)': the referred question's cell, when it names no activation."""
    for label in own:
        text = qs.texts.get(label or "", "")
        target = reference(text) if text else None
        if target is None or re.search(r"\b(with|but|except|replac|instead)\w*", text, re.I):
            continue
        if target.startswith("("):  # "(a)": a question of the same section
            target = f"{label[:3]}{target}"
        elif target == "above":
            earlier = list(qs.texts)
            target = earlier[earlier.index(label) - 1] if label in earlier and earlier.index(label) else ""
        found = next((c for c in qs.cells if c.question == target and c.quantity == q), None)
        if found is not None:
            c = sheet.prepare(q, found)
            if c.node is not None and not sheet.explicit_activation(c.node):
                return found.model_copy(update={"question": label, "where": f"{found.where} (as {label} says)"})
    return None


def _layouts(out: Written, prepared, rubric: Rubric) -> dict[str, str | None]:
    """The layout weight gradients are read in: the rubric's, else the one most of the sheet's weight gradients
    use (the others are then graded in it: a transpose too many or too few is wrong). A tie is flagged and each
    answer read in its own layout."""
    if rubric.written.layout != "either":
        return {q: rubric.written.layout for q in sheet.WEIGHTS}
    votes = [c.layout for cells in prepared.values() for q, c in cells.items() if q in sheet.WEIGHTS and c.layout]
    counts = {k: votes.count(k) for k in ("gradient", "numerator")}
    if counts["gradient"] == counts["numerator"]:
        if votes:
            out.flags.append("the written sheet uses numerator layout and gradient layout equally often for dl/dW")
            for cells in prepared.values():
                for q in sheet.WEIGHTS:
                    if cells[q].status == "read":
                        cells[q].status, cells[q].why = "guessed", "the sheet mixes layouts; read in its own"
        return {}
    layout = max(counts, key=counts.get)
    shape = {"gradient": "W (gradient layout)", "numerator": "W^T (numerator layout)"}
    for cells in prepared.values():
        for q in sheet.WEIGHTS:
            c = cells[q]
            if c.layout and c.layout != layout and c.status == "read":
                c.status, c.why = "wrong", (f"shaped like {shape[c.layout]}, while the sheet's other weight "
                                            f"gradients are shaped like {shape[layout]}: a transpose is wrong here")
    return {q: layout for q in sheet.WEIGHTS}


def _text_item(out: Written, p, question: str | None, qs: documents.Questions) -> None:
    item = p.item
    lines = qs.lines.get(question or "", [])
    text = qs.texts.get(question or "", "")
    name = "FIVE_STEPS" if item.check == "steps" else "RELU_BENEFITS"
    if not text:
        out.items[item.id] = (None, {}, f"no answer to {question} was found in {qs.filename}; {sheet.REVIEW}")
        out.provisional.add(item.id)
        out.cells[item.id] = [WrittenCell(quantity=name, question=question or "", status="missing",
                                          note=f"no answer to {question} was found")]
        return
    value = _steps(lines) if item.check == "steps" else text
    out.items[item.id] = (*sheet.text_frame(item.id, name, value, len(p.cases)), None)
    out.cells[item.id] = [WrittenCell(quantity=name, question=question or "", text=text[:4000], status="read")]


def _steps(lines: list[str]) -> list[str]:
    """The five steps as written: numbered lines, list items or the lines of a code block."""
    items = [re.sub(r"^\s*(?:[-*+]|\d+\s*[.):]|step\s*\d+\s*[.:)]?|\(\w\))\s*", "", ln, flags=re.I).strip()
             for ln in lines if ln.strip() and not ln.strip().startswith("```")]
    return [i for i in items if i][:50]
