# Secret Manager secrets. Terraform creates every secret container; it writes a version only for
# the values it generates itself (database URLs, session secret, CUFS token). The values that come
# from outside (OIDC client secret, SMTP URL) are added by an operator with
# `gcloud secrets versions add` and never pass through Terraform or the repository.
#
# Replicas stay in the deployment's region (data residency); Cloud Run reads version "latest"
# when a revision starts.
resource "google_secret_manager_secret" "this" {
  for_each = var.secrets

  project   = var.project_id
  secret_id = "${var.name_prefix}-${each.key}"
  labels    = var.labels

  annotations = {
    description = each.value
  }

  replication {
    user_managed {
      replicas {
        location = var.region
      }
    }
  }
}

resource "google_secret_manager_secret_version" "generated" {
  for_each = toset(var.generated_keys)

  secret      = google_secret_manager_secret.this[each.value].id
  secret_data = var.generated_values[each.value]
}

locals {
  grants = merge([
    for key, members in var.accessors : {
      for label, member in members : "${key} ${label}" => { key = key, member = member }
    }
  ]...)
}

resource "google_secret_manager_secret_iam_member" "accessor" {
  for_each = local.grants

  project   = var.project_id
  secret_id = google_secret_manager_secret.this[each.value.key].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = each.value.member
}
