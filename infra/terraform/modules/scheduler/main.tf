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

  # A failed call is retried 2.5, 5, 10, 20 and 40 minutes later (77 minutes in all; never past
  # the next scheduled time): at least as often and as long as each scheduled job type's own
  # retry policy asks on pg-boss (directory-sync: 3 retries from 10 minutes, doubling), so that
  # a database failover or a deploy at 02:15 does not cost a night's lifecycle steps or a week's
  # digest. (A test checks; retry_count is at most 5.)
  retry_config {
    retry_count          = 5
    min_backoff_duration = "150s"
    max_backoff_duration = "2400s"
    max_doublings        = 4
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
