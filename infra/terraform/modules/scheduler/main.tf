# One Cloud Scheduler job per gateway schedule (SCHEDULES_DRIVER=cloud-scheduler): POST
# <target_url>/cron/<job> with an OIDC token for the scheduler-invoker account. The job names
# are the gateway's scheduled job type names; the gateway answers 404 to a name it does not know.
#
# Times are wall-clock Europe/London. Around the clock changes a time between 01:00 and 02:00
# local runs twice (October) or not at all (March): put daily jobs outside that hour.
resource "google_cloud_scheduler_job" "this" {
  for_each = var.schedules

  project          = var.project_id
  region           = var.region
  name             = "${var.name_prefix}-${each.key}"
  description      = "POST /cron/${each.key}"
  schedule         = each.value
  time_zone        = "Europe/London"
  attempt_deadline = "${var.attempt_deadline_seconds}s"
  paused           = var.paused

  retry_config {
    retry_count          = 2
    min_backoff_duration = "30s"
    max_backoff_duration = "300s"
    max_doublings        = 2
  }

  http_target {
    http_method = "POST"
    uri         = "${trimsuffix(var.target_url, "/")}/cron/${each.key}"
    body        = base64encode("{}")
    headers = {
      "Content-Type" = "application/json"
    }

    oidc_token {
      service_account_email = var.invoker_email
      audience              = var.audience
    }
  }
}
