"""Reporters turn a Report into text, JSON or files. They read only ``grader.schemas``, never the engine."""
