output "image_repository" {
  description = "Registry path to push images to: <this>/gateway:<tag>, <this>/cufs:<tag>."
  value       = "${google_artifact_registry_repository.images.location}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}"
}

output "ready" {
  description = "Depend on this to wait until the APIs are enabled."
  value       = [for s in google_project_service.this : s.id]
}
