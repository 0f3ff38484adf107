"""The release checklist (`migsafe check`, issue 14): parts that read a database before a deploy.

Built so far: which locks a plan's statements take (:mod:`.locks`) and which sessions on the
target would block them now (:mod:`.health`). The command that composes them is not built yet.
"""
