"""Instructor batch grading: a whole class in parallel worker processes, resumable, shardable.

    entries.discover(DIR) -> run.run_batch: pool.Pool of worker.serve processes (one warm Sandbox each), every
    finished submission recorded atomically by store.Store -> outputs.rebuild (grades.csv, feedback pages,
    summary/, canvas.csv) from the records; merge.merge combines the output folders of shards.
"""

#: Feedback page formats (``--feedback``); here, where the batch command can read it without heavy imports.
FEEDBACK_FORMATS = ("md", "html")
