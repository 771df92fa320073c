output "connection_name" {
  description = "PROJECT:REGION:INSTANCE, for Cloud Run's Cloud SQL volume."
  value       = google_sql_database_instance.this.connection_name
}

output "instance_name" {
  value = google_sql_database_instance.this.name
}

output "database_urls" {
  description = "Database name => DATABASE_URL through the Cloud Run socket."
  value       = local.urls
  sensitive   = true
}
