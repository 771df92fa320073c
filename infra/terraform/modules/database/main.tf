# Cloud SQL for PostgreSQL 15 (the major the test suite runs against on Debian bookworm).
#
# Connectivity: the Cloud SQL connector built into Cloud Run (a unix socket under /cloudsql/),
# not private IP. The connector authorises every connection with IAM (roles/cloudsql.client on
# the service's own account) and encrypts it with short-lived client certificates; with
# ssl_mode = TRUSTED_CLIENT_CERTIFICATE_REQUIRED and no authorised networks, nothing can reach
# the instance's address except through a connector. It needs no private services access
# peering range and works for the migration job and the CUFS service without any VPC. Choose
# private IP instead only if an organisation policy forbids public addresses on Cloud SQL
# (constraints/sql.restrictPublicIp); the gateway's DATABASE_URL would then name the private
# address instead of the socket.
resource "google_sql_database_instance" "this" {
  project             = var.project_id
  name                = var.instance_name
  region              = var.region
  database_version    = "POSTGRES_15"
  deletion_protection = var.deletion_protection

  settings {
    tier                        = var.tier
    edition                     = "ENTERPRISE"
    availability_type           = var.availability_type
    disk_type                   = "PD_SSD"
    disk_size                   = var.disk_size_gb
    disk_autoresize             = true
    deletion_protection_enabled = var.deletion_protection
    user_labels                 = var.labels

    ip_configuration {
      ipv4_enabled = true
      ssl_mode     = "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"
      # No authorized_networks: connector only.
    }

    backup_configuration {
      enabled                        = true
      point_in_time_recovery_enabled = true
      start_time                     = "01:00" # UTC
      location                       = var.region
      transaction_log_retention_days = 7

      backup_retention_settings {
        retained_backups = var.backup_retention_count
        retention_unit   = "COUNT"
      }
    }

    maintenance_window {
      day          = 7 # Sunday
      hour         = 4 # UTC
      update_track = "stable"
    }

    insights_config {
      query_insights_enabled  = true
      record_application_tags = false
      record_client_address   = false
    }

    database_flags {
      name  = "log_min_duration_statement"
      value = "1000" # ms: slow statements appear in Cloud Logging
    }

    database_flags {
      name  = "log_lock_waits"
      value = "on"
    }
  }
}

# Passwords are alphanumeric so they need no escaping inside a URL. They live in Terraform state
# (as any google_sql_user password does): keep the state bucket restricted.
resource "random_password" "user" {
  for_each = var.databases

  length  = 40
  special = false
}

resource "google_sql_database" "this" {
  for_each = var.databases

  project  = var.project_id
  instance = google_sql_database_instance.this.name
  name     = each.key
}

resource "google_sql_user" "this" {
  for_each = var.databases

  project  = var.project_id
  instance = google_sql_database_instance.this.name
  name     = each.value
  password = random_password.user[each.key].result
}

locals {
  socket_dir = "/cloudsql/${google_sql_database_instance.this.connection_name}"

  # postgresql://USER:PASSWORD@localhost/DB?host=/cloudsql/PROJECT:REGION:INSTANCE
  # node-postgres reads the socket directory from the host parameter; "localhost" only keeps the
  # URL well-formed for the gateway's config parser.
  urls = {
    for db, user in var.databases :
    db => "postgresql://${user}:${random_password.user[db].result}@localhost/${db}?host=${local.socket_dir}"
  }
}
