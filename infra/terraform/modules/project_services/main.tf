# The Google APIs the deployment uses. Disabling an API on destroy would break other users of the
# project, so it is never done.
locals {
  services = toset([
    "artifactregistry.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "cloudscheduler.googleapis.com",
    "cloudtasks.googleapis.com",
    "compute.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "sqladmin.googleapis.com",
    "storage.googleapis.com",
  ])
}

resource "google_project_service" "this" {
  for_each = local.services

  project                    = var.project_id
  service                    = each.value
  disable_on_destroy         = false
  disable_dependent_services = false
}

# Container images live in the environment's own Artifact Registry repository. Tags are
# immutable so that a tag named in Terraform always means the same bytes (and a rollback to an
# old tag really is the old build).
resource "google_artifact_registry_repository" "images" {
  project       = var.project_id
  location      = var.region
  repository_id = var.repository_id
  format        = "DOCKER"
  description   = "Storage Self-Service Gateway images (${var.environment})"

  docker_config {
    immutable_tags = true
  }

  depends_on = [google_project_service.this]
}
