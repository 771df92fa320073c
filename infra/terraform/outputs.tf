output "image_repository" {
  description = "Push images here: <repository>/gateway:<tag> and <repository>/cufs:<tag>."
  value       = module.project_services.image_repository
}

output "load_balancer_ip" {
  description = "Create the A record <domain> → this address."
  value       = module.load_balancer.ip_address
}

output "public_url" {
  value = local.public_url
}

output "egress_ip" {
  description = "The address all gateway egress (SMTP, identity provider) comes from."
  value       = module.network.nat_ip
}

output "services" {
  value = {
    web    = module.gateway_web.uri
    worker = module.gateway_worker.uri
    cufs   = module.cufs.uri
  }
}

output "migration_job" {
  value = module.migration_job.name
}

output "nightly_job" {
  value = module.nightly_job.name
}

output "cufs_extracts_bucket" {
  description = "Put the five CUFS extract CSV files here, then run the cufs-import job."
  value       = google_storage_bucket.cufs_extracts.name
}

output "database_connection_name" {
  value = module.database.connection_name
}

output "secrets_to_fill" {
  description = "Secrets an operator must give a value: gcloud secrets versions add <id> --data-file=-"
  value = merge({
    oidc_client_secret = module.secrets.ids["oidc-client-secret"]
    smtp_url           = module.secrets.ids["smtp-url"]
    lookup_username    = var.directory == "lookup" ? module.secrets.ids["lookup-username"] : null
    lookup_password    = var.directory == "lookup" ? module.secrets.ids["lookup-password"] : null
  }, { for name, key in local.extra_secret_keys : lower(name) => module.secrets.ids[key] })
}

output "service_accounts" {
  value = module.service_accounts.emails
}
