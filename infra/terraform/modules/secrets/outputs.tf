output "ids" {
  description = "Secret key => secret id (the name Cloud Run's secret_key_ref takes)."
  value       = { for k, s in google_secret_manager_secret.this : k => s.secret_id }
}

output "accessor_grants" {
  description = "Depend on this so a service starts only once it may read its secrets."
  value       = [for g in google_secret_manager_secret_iam_member.accessor : g.id]
}

output "generated_versions" {
  value = [for v in google_secret_manager_secret_version.generated : v.id]
}
