# Alerts to one email channel. Each policy's documentation block is what the email says; the
# runbook is docs/operations/deployment.md, section "Alerts".
resource "google_monitoring_notification_channel" "email" {
  project      = var.project_id
  display_name = "SSGW ${var.environment} alerts"
  type         = "email"

  labels = {
    email_address = var.alert_email
  }
}

# ---- 1. The public site answers ---------------------------------------------------------------
resource "google_monitoring_uptime_check_config" "healthz" {
  project      = var.project_id
  display_name = "SSGW ${var.environment} https://${var.domain}/healthz"
  timeout      = "10s"
  period       = "60s"

  http_check {
    path           = "/healthz"
    port           = 443
    use_ssl        = true
    validate_ssl   = true
    request_method = "GET"

    accepted_response_status_codes {
      status_class = "STATUS_CLASS_2XX"
    }
  }

  content_matchers {
    content = "\"ok\""
    matcher = "CONTAINS_STRING"
  }

  monitored_resource {
    type = "uptime_url"
    labels = {
      project_id = var.project_id
      host       = var.domain
    }
  }
}

resource "google_monitoring_alert_policy" "uptime" {
  project      = var.project_id
  display_name = "SSGW ${var.environment}: site down (/healthz failing)"
  combiner     = "OR"
  severity     = "CRITICAL"

  conditions {
    display_name = "Uptime check on https://${var.domain}/healthz failing"

    condition_threshold {
      filter          = "metric.type=\"monitoring.googleapis.com/uptime_check/check_passed\" AND metric.label.check_id=\"${google_monitoring_uptime_check_config.healthz.uptime_check_id}\" AND resource.type=\"uptime_url\""
      comparison      = "COMPARISON_GT"
      threshold_value = 1
      duration        = "120s"

      aggregations {
        alignment_period     = "1200s"
        per_series_aligner   = "ALIGN_NEXT_OLDER"
        cross_series_reducer = "REDUCE_COUNT_FALSE"
        group_by_fields      = ["resource.label.project_id", "resource.label.host"]
      }

      trigger {
        count = 1
      }
    }
  }

  notification_channels = [google_monitoring_notification_channel.email.id]

  alert_strategy {
    auto_close = "1800s"
  }

  documentation {
    mime_type = "text/markdown"
    subject   = "SSGW ${var.environment}: https://${var.domain}/healthz is failing"
    content   = <<-EOT
      More than one checker region cannot get a 200 "ok" from https://${var.domain}/healthz.
      Users cannot reach the service. Runbook: docs/operations/deployment.md, "Alerts" → "Site down".
    EOT
  }
}

# ---- 2. Server errors on the web service --------------------------------------------------------
# Counts the web service's requests from Cloud Run's request log, leaving out /cloud_tasks/ and
# /cron/. Those are background work that Cloud Tasks and Cloud Scheduler send to the same service:
# a failing job answers 500 on every attempt, and at night, with few users, one failing task
# (SMTP or CUFS down) would be most of the ratio and send someone to the database. Failed jobs
# have their own alert (3, below). Cloud Run's built-in request_count metric has no path label,
# which is why this is a log-based metric.
resource "google_logging_metric" "web_requests" {
  project = var.project_id
  name    = "ssgw_${replace(var.environment, "-", "_")}_web_requests"
  filter  = <<-EOT
    resource.type="cloud_run_revision" AND resource.labels.service_name="${var.web_service}"
    AND log_id("run.googleapis.com/requests")
    AND NOT httpRequest.requestUrl:"/cloud_tasks/"
    AND NOT httpRequest.requestUrl:"/cron/"
  EOT

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "SSGW ${var.environment} web requests (without tasks and schedules)"

    labels {
      key         = "status"
      value_type  = "STRING"
      description = "The HTTP status the service answered, e.g. 503."
    }
  }

  label_extractors = {
    status = "EXTRACT(httpRequest.status)"
  }
}

resource "google_monitoring_alert_policy" "web_5xx" {
  project      = var.project_id
  display_name = "SSGW ${var.environment}: 5xx ratio above ${var.error_ratio_threshold * 100}%"
  combiner     = "OR"
  severity     = "ERROR"

  conditions {
    display_name = "${var.web_service} 5xx / all responses over 5 minutes (without /cloud_tasks/ and /cron/)"

    condition_prometheus_query_language {
      # No traffic gives 0/0 (no sample), which never fires.
      query               = <<-EOT
        sum(rate(logging_googleapis_com:user_${google_logging_metric.web_requests.name}{monitored_resource="cloud_run_revision",service_name="${var.web_service}",status=~"5.."}[5m]))
        /
        sum(rate(logging_googleapis_com:user_${google_logging_metric.web_requests.name}{monitored_resource="cloud_run_revision",service_name="${var.web_service}"}[5m]))
        > ${var.error_ratio_threshold}
      EOT
      duration            = "300s"
      evaluation_interval = "60s"
    }
  }

  notification_channels = [google_monitoring_notification_channel.email.id]

  alert_strategy {
    auto_close = "1800s"
  }

  documentation {
    mime_type = "text/markdown"
    subject   = "SSGW ${var.environment}: server errors on ${var.web_service}"
    content   = <<-EOT
      More than ${var.error_ratio_threshold * 100}% of responses from ${var.web_service} were 5xx for 5 minutes
      (requests from Cloud Tasks and Cloud Scheduler, /cloud_tasks/ and /cron/, are not counted).
      Runbook: docs/operations/deployment.md, "Alerts" → "5xx ratio".
    EOT
  }
}

# ---- 3. Background work failing ------------------------------------------------------------------
# Counts ERROR (and worse) log entries that belong to background work:
#  - gateway JSON log lines carrying a "job" field (the job runner logs every job with it);
#  - Cloud Tasks attempts that failed (the queue logs every attempt);
#  - Cloud Scheduler attempts that failed;
#  - the migration job.
resource "google_logging_metric" "job_failures" {
  project = var.project_id
  name    = "ssgw_${replace(var.environment, "-", "_")}_job_failures"
  filter  = <<-EOT
    severity>=ERROR AND (
      (resource.type="cloud_run_revision" AND resource.labels.service_name=("${var.web_service}" OR "${var.worker_service}") AND jsonPayload.job:*)
      OR (resource.type="cloud_tasks_queue" AND resource.labels.queue_id="${var.tasks_queue}")
      OR (resource.type="cloud_scheduler_job" AND resource.labels.job_id:"${var.scheduler_prefix}-")
      OR (resource.type="cloud_run_job" AND resource.labels.job_name="${var.migration_job}")
    )
  EOT

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "SSGW ${var.environment} background job failures"

    labels {
      key         = "job"
      value_type  = "STRING"
      description = "The gateway job name, where the log line carries one."
    }
  }

  label_extractors = {
    job = "EXTRACT(jsonPayload.job)"
  }
}

resource "google_monitoring_alert_policy" "job_failures" {
  project      = var.project_id
  display_name = "SSGW ${var.environment}: background job failures"
  combiner     = "OR"
  severity     = "WARNING"

  conditions {
    display_name = "ERROR log entries from jobs, tasks, schedules or the migration"

    condition_threshold {
      filter          = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.job_failures.name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = var.job_failure_threshold
      duration        = "0s"

      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.job", "resource.type"]
      }

      trigger {
        count = 1
      }
    }
  }

  notification_channels = [google_monitoring_notification_channel.email.id]

  # No notification_rate_limit: the Monitoring API applies it only to log-match policies
  # (condition_matched_log), not to a threshold on a log-based metric like this one. A threshold
  # policy emails once when the incident opens (per job label and source) and once when it closes,
  # so a job failing all night gives one email, not one per attempt.
  alert_strategy {
    auto_close = "3600s"
  }

  documentation {
    mime_type = "text/markdown"
    subject   = "SSGW ${var.environment}: background job failures"
    content   = <<-EOT
      Background work logged errors in the last 5 minutes (job label: $${metric.label.job}; source: $${resource.type}).
      Runbook: docs/operations/deployment.md, "Alerts" → "Job failures". Logs:
      `severity>=ERROR AND jsonPayload.job:*` in Logs Explorer.
    EOT
  }
}
