"""hw1-grader: an auto-grader for DS-GA 1008 Homework 1 (backpropagation).

Data flows one way::

    load -> cases -> (reference) expected -> sandbox -> compare -> diagnose -> score -> report -> reporters

The public entry point is :func:`grader.engine.grade`.
"""

__version__ = "0.1.0"
