# The schema migration, as a Cloud Run job run before each rollout:
#   gcloud run jobs execute <name> --region <region> --wait
# It runs the gateway image's migrate CLI with the same configuration the services get (the CLI
# loads the full production configuration, so it needs the same variables and secrets) and the
# worker's identity. Kysely's migrator takes a lock, so an accidental second execution waits
# and then finds nothing to do.
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

      containers {
        image   = var.image
        command = ["node"]
        args    = ["--enable-source-maps", "apps/gateway/dist/cli/migrate.js"]

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
      }
    }
  }
}
