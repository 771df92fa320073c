# The Cloud Tasks queue the gateway enqueues background work on (JOBS_DRIVER=cloud-tasks). The
# gateway creates each task with an HTTP target (/cloud_tasks/<task>) and an OIDC token for the
# tasks-invoker account; the queue owns rate limits and the retry schedule.
resource "google_cloud_tasks_queue" "this" {
  project  = var.project_id
  name     = var.name
  location = var.region

  rate_limits {
    max_dispatches_per_second = var.max_dispatches_per_second
    max_concurrent_dispatches = var.max_concurrent_dispatches
  }

  # Starts like the gateway's DEFAULT_RETRY (about 30 s, 1, 2, 4 min), with a ceiling so a long
  # outage keeps retrying at max_backoff: Cloud Tasks gives up only once a task has had
  # max_attempts AND max_retry_duration has passed (a day: longer than any job type asks for).
  retry_config {
    max_attempts       = var.retry.max_attempts
    min_backoff        = "${var.retry.min_backoff_seconds}s"
    max_backoff        = "${var.retry.max_backoff_seconds}s"
    max_doublings      = var.retry.max_doublings
    max_retry_duration = "${var.retry.max_retry_duration_seconds}s"
  }

  # Every attempt is logged (resource.type="cloud_tasks_queue"): failed dispatches are ERRORs
  # that the job-failure metric counts.
  stackdriver_logging_config {
    sampling_ratio = 1.0
  }
}

resource "google_cloud_tasks_queue_iam_member" "enqueuer" {
  for_each = var.enqueuers

  project  = var.project_id
  location = var.region
  name     = google_cloud_tasks_queue.this.name
  role     = "roles/cloudtasks.enqueuer"
  member   = each.value
}
