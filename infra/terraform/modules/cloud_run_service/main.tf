# One Cloud Run (v2) service: gateway-web, gateway-worker and cufs are all instances of this.
resource "google_cloud_run_v2_service" "this" {
  project             = var.project_id
  name                = var.name
  location            = var.region
  ingress             = var.ingress
  labels              = var.labels
  deletion_protection = var.deletion_protection
  # Extra audiences Cloud Run's own IAM check accepts in an ID token besides the run.app URL:
  # lets Cloud Tasks and Cloud Scheduler use the public URL as audience everywhere, which is
  # also what the gateway checks (TASKS_AUDIENCE).
  custom_audiences = var.custom_audiences

  template {
    service_account                  = var.service_account_email
    execution_environment            = "EXECUTION_ENVIRONMENT_GEN2"
    timeout                          = "${var.timeout_seconds}s"
    max_instance_request_concurrency = var.concurrency
    labels                           = var.labels

    scaling {
      min_instance_count = var.min_instances
      max_instance_count = var.max_instances
    }

    dynamic "vpc_access" {
      for_each = var.vpc_subnetwork == null ? [] : [var.vpc_subnetwork]
      content {
        # All egress through the VPC: required for calls to internal-only services, and it
        # gives every outbound connection the Cloud NAT address.
        egress = "ALL_TRAFFIC"
        network_interfaces {
          subnetwork = vpc_access.value
        }
      }
    }

    dynamic "volumes" {
      for_each = var.cloud_sql_connection == null ? [] : [var.cloud_sql_connection]
      content {
        name = "cloudsql"
        cloud_sql_instance {
          instances = [volumes.value]
        }
      }
    }

    containers {
      image = var.image

      ports {
        container_port = 8080
      }

      resources {
        limits = {
          cpu    = var.cpu
          memory = var.memory
        }
        # true: CPU only while a request is in flight (request-based billing);
        # false: CPU always allocated (instance-based billing), for background work.
        cpu_idle          = var.cpu_idle
        startup_cpu_boost = true
      }

      dynamic "env" {
        for_each = var.env
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = var.secret_env
        content {
          name = env.key
          value_source {
            secret_key_ref {
              secret  = env.value
              version = "latest"
            }
          }
        }
      }

      dynamic "volume_mounts" {
        for_each = var.cloud_sql_connection == null ? [] : [var.cloud_sql_connection]
        content {
          name       = "cloudsql"
          mount_path = "/cloudsql"
        }
      }

      # /healthz answers as soon as the process listens. /readyz (database reachable, no
      # pending migrations) is deliberately not the startup probe: a first deployment would
      # never start before its migration job has run, and an emergency rollback must not be
      # blocked by schema checks. Operators and the deploy procedure check /readyz instead.
      startup_probe {
        initial_delay_seconds = 0
        period_seconds        = 2
        timeout_seconds       = 2
        failure_threshold     = 30
        http_get {
          path = var.health_path
        }
      }

      liveness_probe {
        period_seconds    = 30
        timeout_seconds   = 5
        failure_threshold = 3
        http_get {
          path = var.health_path
        }
      }
    }
  }

  traffic {
    type    = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
    percent = 100
  }
}

resource "google_cloud_run_v2_service_iam_member" "invoker" {
  for_each = var.invokers

  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_service.this.name
  role     = "roles/run.invoker"
  member   = each.value
}
