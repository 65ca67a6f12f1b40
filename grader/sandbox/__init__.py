"""Running untrusted student code (see docs/threat_model.md).

- ``zygote.py`` and ``harness.py`` (with ``calls_*``, ``convert``, ``student``) run on the untrusted side, and so do
  ``confine.py``, ``landlock.py`` and ``seccomp.py``, which confine each forked child before the student's code
  runs. They import only the standard library, NumPy and torch, never anything from ``grader`` or ``reference``,
  and they never see expected values.
- ``protocol.py`` is the framing both sides share (stdlib only).
- ``client.py`` is the trusted side: it starts a warm zygote, sends jobs, enforces time limits and kills every
  process a job started; ``reader.py`` reads a job's frames and output as capped, validated plain data;
  ``policy.py`` decides who the child runs as and what it may read.
"""
