"""Gradescope: the autograder entry point (``hw1-grader gradescope``), the zip Gradescope runs
(``hw1-grader build-autograder``), late policy, and reading Gradescope's "Export submissions" folder.

Inside ``run_autograder`` the flow is::

    submission_metadata.json + submission/ -> engine.grade -> late policy -> reporters.gradescope_results
        -> results/results.json (written last, atomically; a failure still writes valid results)
"""
