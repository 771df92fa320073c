output "id" {
  description = "projects/P/locations/L/queues/Q, the form CLOUD_TASKS_QUEUE takes."
  value       = "projects/${var.project_id}/locations/${var.region}/queues/${google_cloud_tasks_queue.this.name}"
}

output "name" {
  value = google_cloud_tasks_queue.this.name
}
