"""What the student's code prints: shown to the student, except what it printed while hidden items ran."""

from grader.jobs import Printed
from tests.conftest import SAMPLES, item


def _submission(tmp_path, prelude: str, in_forward: str) -> None:
    """Write mlp.py: ``prelude`` at the top, then the correct sample with the lines ``in_forward`` first in
    MLP.forward."""
    src = (SAMPLES / "correct_fall2020" / "mlp.py").read_text()
    body = "".join(f"        {line}\n" for line in in_forward.splitlines())
    hooked = src.replace("    def forward(self, x):\n", "    def forward(self, x):\n" + body, 1)
    assert hooked != src
    (tmp_path / "mlp.py").write_text(prelude + hooked)


def _output_bytes(rubric, n: int):
    return rubric.model_copy(update={"limits": rubric.limits.model_copy(update={"output_bytes": n})})


def test_output_printed_during_hidden_items_is_withheld_from_the_student(sandbox, tmp_path):
    from grader.engine import grade

    _submission(tmp_path, "print('IMPORTED')\n", "print('FORWARD-SHAPE', tuple(x.shape))")
    report = grade(tmp_path, sandbox=sandbox)
    assert item(report, "2.end_to_end_hidden").score == item(report, "2.end_to_end_hidden").max_score
    assert "IMPORTED" in report.student_output and "FORWARD-SHAPE" in report.student_output
    hidden_shapes = {line for line in report.output.splitlines() if "FORWARD-SHAPE" in line} - \
        {line for line in report.student_output.splitlines() if "FORWARD-SHAPE" in line}
    assert hidden_shapes, "the larger hidden cases' shapes appear only in the instructor's output"
    assert "[output printed while hidden items ran is not shown]" in report.student_output
    assert report.student_output.count("not shown") == 1


def test_hidden_inputs_never_reach_the_student_whatever_the_code_prints(sandbox, tmp_path):
    """Looking for the job's inputs at import, printing every x in forward, and forging or dropping the harness's
    frames: the hidden item runs in a job of its own whose output the student never sees."""
    import numpy as np

    from grader.engine import grade, hidden_salt, plan
    from grader.load import load_submission

    attack = '''
import os, sys
for _name in os.listdir("."):  # the job's inputs are not in a file beside the code
    if _name not in ("mlp.py", "__pycache__"):
        print("LEAK file", _name)
for _fd in os.listdir("/proc/self/fd"):  # nor in a descriptor left open
    try:
        _data = os.pread(int(_fd), 1 << 20, 0)
    except OSError:
        continue
    if b"dJdy_hat" in _data or b'"W1"' in _data:
        print("LEAK fd", _fd)
_write = sys.modules["harness"].write_frame
def write_frame(fd, header, blob=b""):
    if header.get("phase") == "item":
        return None  # drop every begin frame
    return _write(fd, header, blob)
sys.modules["harness"].write_frame = write_frame
'''
    _submission(tmp_path, attack, "print('X', x.ravel().tolist())")
    rubric = _roomy_rubric()
    report = grade(tmp_path, rubric, sandbox=sandbox)
    hidden = next(p for p in plan(rubric, load_submission(tmp_path), hidden_salt(rubric, None))
                  if p.item.id == "2.end_to_end_hidden")
    for case in hidden.cases:
        first = f"{float(np.float32(case.inputs['x'].ravel()[0]))!r}"
        assert first in report.output  # the instructor sees it
        assert first not in report.student_output, "a hidden input reached the student"
    assert "LEAK" not in report.output  # the job's data is out of reach before the student's code runs


def _hidden_firsts(rubric, path):
    """The first value of x in each hidden case, as the student's code would print it."""
    import numpy as np

    from grader.engine import hidden_salt, plan
    from grader.load import load_submission

    hidden = next(p for p in plan(rubric, load_submission(path), hidden_salt(rubric, None))
                  if p.item.id == "2.end_to_end_hidden")
    return [f"{float(np.float32(case.inputs['x'].ravel()[0]))!r}" for case in hidden.cases]


def _roomy_rubric():
    from grader.rubric import load_rubric

    return _output_bytes(load_rubric(), 2_000_000)


def _visible_text(report) -> str:
    """Everything the student may see before the due date: the output and the visible items' feedback."""
    return "\n".join([report.student_output] + [i.student_feedback for i in report.items if i.visibility == "visible"])


def test_a_thread_holding_the_visible_output_cannot_leak_hidden_inputs(sandbox, tmp_path):
    """A thread started at import keeps its own copies of stdout and stderr and writes each new x the code sees to
    them and to every other descriptor but the result pipe: once hidden items begin, the pipe the student may see
    is closed, so hidden inputs reach the instructor's output only. Visible items keep their full marks."""
    from grader.engine import grade

    attack = '''
import os, signal, threading, time
signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # a closed pipe then fails the write instead of ending the process
SEEN = []
_fds = [os.dup(1), os.dup(2)]
def _leak():
    told = 0
    while True:
        if len(SEEN) > told:
            text = "".join("SEEN %r\\n" % (x,) for x in SEEN[told:]).encode()
            told = len(SEEN)
            for fd in _fds + [1, 2, *range(4, 12)]:  # 3 is the result pipe: writing there only spoils results
                try:
                    os.write(fd, text)
                except OSError:
                    pass
        time.sleep(0.0005)
threading.Thread(target=_leak, daemon=True).start()
'''
    _submission(tmp_path, attack, "SEEN.append(x.ravel().tolist()[0])\ntime.sleep(0.003)  # the thread's turn")
    rubric = _roomy_rubric()
    report = grade(tmp_path, rubric, sandbox=sandbox)
    for it in report.items:
        if it.id.startswith("2.") and it.visibility == "visible":
            assert it.score == it.max_score, (it.id, it.feedback)
    assert "SEEN" in report.student_output  # the thread did write to what the student sees
    for first in _hidden_firsts(rubric, tmp_path):
        assert f"SEEN {first}" in report.output  # the instructor sees it: the thread ran during hidden items
        assert first not in _visible_text(report), "a hidden input reached the student"


def test_a_forged_hold_gets_no_hidden_inputs_to_the_student(sandbox, tmp_path):
    """The code says 'hold' (hidden items, please) at import, before any visible item ran, then reads whatever
    arrives and puts it in everything the student sees: printed output and the errors of visible items. The grader
    refuses the early hold, so no hidden input is ever sent while the student can still see anything."""
    from grader.engine import grade

    attack = '''
import os, signal, sys, threading
signal.signal(signal.SIGPIPE, signal.SIG_IGN)
sys.stdout = sys.stderr = open(os.devnull, "w")  # so that nothing fails on a closed output pipe
sys.modules["harness"].write_frame(3, {"type": "hold"})
GOT = []
def _take():
    data = b""
    try:
        while True:
            chunk = os.read(4, 1 << 20)
            if not chunk:
                break
            data += chunk
        size = int.from_bytes(data[:4], "big")
        arrays = sys.modules["arrays"].unpack(data[4 + size:])
        GOT.append(" ".join(repr(float(a.ravel()[0])) for a in arrays.values()))
    except BaseException as e:
        GOT.append(repr(e))
threading.Thread(target=_take, daemon=True).start()
'''
    _submission(tmp_path, attack, "if GOT:\n    raise ValueError(GOT[-1])")
    rubric = _roomy_rubric()
    report = grade(tmp_path, rubric, sandbox=sandbox)
    for first in _hidden_firsts(rubric, tmp_path):
        assert first not in _visible_text(report), "a hidden input reached the student"


def test_hidden_inputs_kept_in_shared_memory_never_reach_a_later_grading(sandbox, tmp_path):
    """System V shared memory outlives a process: a hidden phase that stored x there could be read by the next
    grading's import, whose output the student sees. The sandbox refuses the IPC calls."""
    from grader.engine import grade

    attack = '''
import ctypes
_libc = ctypes.CDLL(None, use_errno=True)
_libc.shmat.restype = ctypes.c_void_p
_libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
_KEY, _SIZE = 0x48574C50, 1 << 16
def _shm(create):
    sid = _libc.shmget(_KEY, _SIZE, 0o1666 if create else 0)
    if sid < 0:
        return None
    addr = _libc.shmat(sid, None, 0)
    return None if addr in (None, ctypes.c_void_p(-1).value) else addr
_a = _shm(False)
print("SHM", ctypes.string_at(_a, _SIZE).split(b"\\0", 1)[0].decode() if _a else "refused")
def _stash(x):
    a = _shm(True)
    if a:
        data = repr(x.ravel().tolist()).encode()[:_SIZE - 1] + b"\\0"
        ctypes.memmove(a, data, len(data))
'''
    _submission(tmp_path, attack, "_stash(x)")
    rubric = _roomy_rubric()
    grade(tmp_path, rubric, sandbox=sandbox)
    again = grade(tmp_path, rubric, sandbox=sandbox)
    assert "SHM refused" in again.student_output, again.student_output
    for first in _hidden_firsts(rubric, tmp_path):
        assert first not in _visible_text(again), "a hidden input reached the student"


def test_the_note_on_withheld_output_appears_whenever_hidden_items_ran(graded, sandbox, tmp_path):
    """Printed or not: were it shown only when something was printed, code could print or not depending on a
    hidden input and so tell one bit of it."""
    from grader.engine import grade

    quiet = graded("correct_fall2020")
    assert Printed.WITHHELD in quiet.student_output and not quiet.output  # it printed nothing
    assert item(quiet, "2.end_to_end_hidden").score == item(quiet, "2.end_to_end_hidden").max_score
    visible_only = grade(SAMPLES / "correct_fall2020", sandbox=sandbox, visible_only=True)
    assert Printed.WITHHELD not in visible_only.student_output  # no hidden item ran


#: Student-side code: the id of the item the harness is running now (found in the caller's frames).
_CURRENT_ITEM = '''
import sys
def _item():
    f = sys._getframe()
    while f is not None and not isinstance(f.f_locals.get("item"), dict):
        f = f.f_back
    return f.f_locals["item"].get("id", "") if f is not None else ""
'''


def _two_hidden_items():
    rubric = _roomy_rubric()
    hidden = next(i for i in rubric.items if i.id == "2.end_to_end_hidden")
    extra = hidden.model_copy(update={"id": "2.end_to_end_hidden_b"})
    return rubric.model_copy(update={"items": [*rubric.items, extra]})


def test_after_a_crash_in_a_hidden_item_the_rerun_prints_nothing_the_student_sees(sandbox, tmp_path):
    """A hidden item prints a hidden-dependent amount (withheld) and ends the process; the next child, which runs
    the hidden item left, prints at import again. Its output is withheld too, and what was withheld never
    shrinks the room for what the student sees: the student's view is the same whatever the hidden inputs."""
    from grader.engine import grade

    attack = '''
import os, sys
print("IMPORT", "B" * 30000)
''' + _CURRENT_ITEM + '''
def _leak(x):
    if _item().startswith("2.end_to_end_hidden"):
        print("W" * int(abs(float(x.ravel()[0])) * 1000), flush=True)
        os._exit(3)
'''
    _submission(tmp_path, attack, "_leak(x)")
    rubric = _two_hidden_items()
    seen = set()
    for salt in ("one", "two", "three"):
        report = grade(tmp_path, rubric, salt=salt, sandbox=sandbox)
        assert "W" * 5 in report.output  # the hidden phase did print (the instructor sees it)
        assert report.output.count("IMPORT") >= 2  # and a later child imported the code again
        seen.add(report.student_output)
    assert len(seen) == 1, "what the student sees depends on the hidden inputs"
    assert seen.pop().count("IMPORT") == 1  # the first child's import only


def test_withheld_output_keeps_to_its_room_over_reruns(sandbox, tmp_path):
    """Output after a hold (and all output of later children) is kept up to the rubric's output_bytes in all,
    however many children a submission needs: the instructor's copy stays bounded too."""
    from grader.engine import grade

    attack = '''
import os, sys
print("B" * 40000, flush=True)
''' + _CURRENT_ITEM + '''
def _leak(x):
    if _item().startswith("2.end_to_end_hidden"):
        print("W" * 40000, flush=True)
        os._exit(3)
'''
    _submission(tmp_path, attack, "_leak(x)")
    rubric = _output_bytes(_two_hidden_items(), 50_000)
    report = grade(tmp_path, rubric, sandbox=sandbox)
    assert report.output.count("B" * 100) and report.output.count("W" * 100)
    visible = report.student_output.count("B")
    assert visible == 40000  # the first child's import, all of it
    assert report.output.count("B") + report.output.count("W") - visible <= 50_000  # withheld: one room in all
