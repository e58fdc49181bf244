"""Long work off the request path: jobs on a task queue, with progress a person can watch.

A page (or the clock) calls `services.start()`: it writes a `Task` row and puts a message on
the queue (Celery: Redis in production, a folder under instance/ when embedded). A worker
process takes it, runs the feature's handler in one transaction (`runner.execute`), reports
progress as it goes (`progress.py`) and records the outcome on the row. See README,
"Background jobs".
"""
