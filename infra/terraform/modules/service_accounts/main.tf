# One identity per job to do, each with only what that job needs. Project-wide roles are limited
# to the Cloud SQL connector; everything else is granted on the single resource concerned (bucket,
# queue, secret, service) in the module that owns that resource.
locals {
  accounts = {
    web = {
      id   = "${var.name_prefix}-web"
      name = "Gateway web (APP_ROLE=web)"
    }
    worker = {
      id   = "${var.name_prefix}-worker"
      name = "Gateway worker (APP_ROLE=worker) and the migration job"
    }
    tasks_invoker = {
      id   = "${var.name_prefix}-tasks"
      name = "Identity in the OIDC tokens Cloud Tasks sends to /cloud_tasks/"
    }
    scheduler_invoker = {
      id   = "${var.name_prefix}-scheduler"
      name = "Identity in the OIDC tokens Cloud Scheduler sends to /cron/"
    }
    cufs = {
      id   = "${var.name_prefix}-cufs"
      name = "CUFS API service"
    }
  }

  # The Cloud SQL connector built into Cloud Run needs cloudsql.client (connect only; no admin).
  sql_clients = ["web", "worker", "cufs"]
}

resource "google_service_account" "this" {
  for_each = local.accounts

  project      = var.project_id
  account_id   = each.value.id
  display_name = each.value.name
}

resource "google_project_iam_member" "sql_client" {
  for_each = toset(local.sql_clients)

  project = var.project_id
  role    = "roles/cloudsql.client"
  member  = google_service_account.this[each.value].member
}

# Creating a Cloud Task with an OIDC token for the tasks-invoker account is "acting as" that
# account: the gateway identities that enqueue work need exactly that, on that account only.
resource "google_service_account_iam_member" "enqueuers_act_as_tasks_invoker" {
  for_each = toset(["web", "worker"])

  service_account_id = google_service_account.this["tasks_invoker"].name
  role               = "roles/iam.serviceAccountUser"
  member             = google_service_account.this[each.value].member
}
