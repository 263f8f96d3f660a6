"""Letters laid out as PDFs: the PDF step, once (step.py), and the worker processes that
run it for `build` and `check` (pool.py, worker.py; what passes between them: jobs.py).
Below build/ and golden/, which share it."""
