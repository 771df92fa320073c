output "emails" {
  description = "Service account emails by role: web, worker, tasks_invoker, scheduler_invoker, cufs."
  value       = { for k, sa in google_service_account.this : k => sa.email }
}

output "members" {
  description = "IAM member strings (serviceAccount:...) by role."
  value       = { for k, sa in google_service_account.this : k => sa.member }
}
