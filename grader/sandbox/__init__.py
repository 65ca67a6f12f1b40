"""Running untrusted student code.

- ``zygote.py`` and ``harness.py`` run on the untrusted side. They import only the standard library, NumPy and
  torch, never anything from ``grader`` or ``reference``, and they never see expected values.
- ``protocol.py`` is the framing both sides share (stdlib only).
- ``client.py`` is the trusted side: it starts a warm zygote, sends jobs, enforces time limits, reads results as
  plain data and kills every process a job started.
"""
