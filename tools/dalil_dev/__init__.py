"""dalil-dev: evaluation and fitting on the development sets, outside the installed package.

    python -m tools.dalil_dev eval --db ARCHIVE --eval-dir ../shared/eval [--json]
    python -m tools.dalil_dev trace-eval --db ARCHIVE --eval-dir ../shared/eval [--out scores.json]
    python -m tools.dalil_dev fit scores.json [--write]

It reads the archive through dalil's public API only (`dalil.Archive`, the result types it
returns, and `dalil.trace`'s verdict procedure for fitting); the evaluation folder is always
given, never found from where the code lies.
"""
