# A one-shot command as a Cloud Run job, run by hand:
#   gcloud run jobs execute <name> --region <region> --wait
# gateway-migrate: the schema migration, run before each rollout. It runs the gateway image's
# migrate CLI with the same configuration the services get (the CLI loads the full production
# configuration, so it needs the same variables and secrets) and the worker's identity. Kysely's
# migrator takes a lock, so an accidental second execution waits and then finds nothing to do.
# cufs-import: loads the CUFS extracts of a bucket (mounted read-only) into the CUFS database.
resource "google_cloud_run_v2_job" "this" {
  project             = var.project_id
  name                = var.name
  location            = var.region
  labels              = var.labels
  deletion_protection = var.deletion_protection

  template {
    task_count  = 1
    parallelism = 1
    labels      = var.labels

    template {
      service_account       = var.service_account_email
      execution_environment = "EXECUTION_ENVIRONMENT_GEN2"
      timeout               = "${var.timeout_seconds}s"
      # A failed migration needs a person, not a retry.
      max_retries = 0

      volumes {
        name = "cloudsql"
        cloud_sql_instance {
          instances = [var.cloud_sql_connection]
        }
      }

      dynamic "volumes" {
        for_each = var.gcs_volume == null ? [] : [var.gcs_volume]
        content {
          name = "files"
          gcs {
            bucket    = volumes.value.bucket
            read_only = true
          }
        }
      }

      containers {
        image   = var.image
        command = ["node"]
        args    = var.args

        resources {
          limits = {
            cpu    = "1"
            memory = "512Mi"
          }
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

        volume_mounts {
          name       = "cloudsql"
          mount_path = "/cloudsql"
        }

        dynamic "volume_mounts" {
          for_each = var.gcs_volume == null ? [] : [var.gcs_volume]
          content {
            name       = "files"
            mount_path = volume_mounts.value.mount_path
          }
        }
      }
    }
  }
}
