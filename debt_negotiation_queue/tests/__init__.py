from . import test_queue_jobs
