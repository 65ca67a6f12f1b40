"""The review desk: people decide the scores the grader marks provisional, and regrade requests, per batch.

    overrides  OUT/overrides.json: the model, load/save (atomic, locked), apply (a review beside the grader's
               result of an item; stale once the answer changed)
    queue      the items to review (provisional or flagged) in groups of answers that read the same
    desk       decide / clear: overrides.json changed, then every file of the batch rebuilt
    render     a student's answer as safe HTML (Markdown, $math$ as source, code with line numbers)
    page       the review page's HTML
    server     the page on 127.0.0.1 behind a random token (the standard library's http.server)
    command    ``hw1-grader review OUT`` and ``hw1-grader override OUT ...``: the entry point

It reads a batch's records (``grader.batch.store``) and reports, never the engine or the sandbox. The batch applies
the overrides whenever it rebuilds its files (``grader.batch.outputs.rebuild``): ``overrides`` and ``queue`` sit
below the batch, the page and its server above it (docs/architecture.md).
"""
