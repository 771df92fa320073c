# ---- the environment ----------------------------------------------------------------------------
variable "project_id" {
  description = "Google Cloud project for this environment."
  type        = string
}

variable "region" {
  description = "Region for everything regional (Cloud Run, Cloud SQL, bucket, queue, scheduler)."
  type        = string
  default     = "europe-west2"
}

variable "environment" {
  description = "Environment name (production, staging, ...); part of every resource name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,13}$", var.environment))
    error_message = "environment: lower-case letters, digits and dashes, 2-14 characters (service account ids are limited to 30)."
  }
}

variable "domain" {
  description = "The public host name, e.g. storage.example.ac.uk. PUBLIC_URL is https://<domain>."
  type        = string
}

variable "alert_email" {
  description = "Where Cloud Monitoring sends alerts (a team list, not a person)."
  type        = string
}

# ---- images -------------------------------------------------------------------------------------
variable "gateway_image_tag" {
  description = "Tag of the gateway image that gateway-web and gateway-worker run."
  type        = string
}

variable "migration_image_tag" {
  description = "Tag of the gateway image the migration job runs; null means gateway_image_tag. Set it ahead of gateway_image_tag to migrate before a rollout."
  type        = string
  default     = null
}

variable "cufs_image_tag" {
  description = "Tag of the CUFS API service image."
  type        = string
}

# ---- what the operator decides ------------------------------------------------------------------
variable "oidc_issuer" {
  description = "OpenID Connect issuer URL of the University's identity provider."
  type        = string
}

variable "oidc_client_id" {
  description = "Client id registered for https://<domain>/ at the identity provider (the secret goes in Secret Manager)."
  type        = string
}

variable "mail_from" {
  description = "From address of the gateway's email (must be allowed by the SMTP relay)."
  type        = string
}

variable "service_name" {
  type    = string
  default = "Storage Self-Service Gateway"
}

variable "service_contact_email" {
  description = "Support address shown to users."
  type        = string
}

variable "gateway_extra_env" {
  description = "More plain settings for the gateway (names exactly as in apps/gateway/src/platform/config.ts, e.g. OIDC_SCOPES, OIDC_CRSID_CLAIM, SESSION_IDLE_MINUTES, LOG_LEVEL, PROVISIONER, PROVISIONER_WEBHOOK_URL). Never secrets: those go in gateway_extra_secrets."
  type        = map(string)
  default     = {}

  # Plain variables are shown to anyone who may view the service. (A test keeps this list equal to the gateway's secret settings.)
  validation {
    condition     = length(setintersection(keys(var.gateway_extra_env), ["DATABASE_URL", "SESSION_SECRET", "OIDC_CLIENT_SECRET", "SMTP_URL", "CUFS_TOKEN", "LOOKUP_USERNAME", "LOOKUP_PASSWORD", "PROVISIONER_WEBHOOK_SECRET", "METRICS_TOKEN"])) == 0
    error_message = "gateway_extra_env holds a secret setting: name it in gateway_extra_secrets instead (Secret Manager)."
  }

  # The gateway lets NODE_ENV=production keep a demo part when told to (benchmarks, a staging copy);
  # this deployment never does: dev sign-in would let anyone be anyone, and show everyone's mail.
  validation {
    condition     = length(setintersection(keys(var.gateway_extra_env), ["DEV_SIGN_IN", "ALLOW_DEV_SIGN_IN", "ALLOW_EMBEDDED_DATABASE", "ALLOW_OUTBOX_MAILER", "ALLOW_LOCAL_DOCUMENTS"])) == 0
    error_message = "gateway_extra_env turns on a demo part (dev sign-in, the embedded database, the mail outbox or local documents): production never runs on one."
  }
}

variable "gateway_extra_secrets" {
  description = "More secret settings for the gateway, by name as config.ts reads them (PROVISIONER_WEBHOOK_SECRET with PROVISIONER=webhook, METRICS_TOKEN): each gets a Secret Manager secret ssgw-<env>-<name in lower case with dashes>, readable by web and worker and given to both as that variable. Add its value (gcloud secrets versions add) before the services are applied: a revision naming a secret without a version does not start."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for name in var.gateway_extra_secrets : can(regex("^[A-Z][A-Z0-9_]*$", name))])
    error_message = "gateway_extra_secrets: variable names, e.g. PROVISIONER_WEBHOOK_SECRET."
  }

  validation {
    condition     = length(setintersection(var.gateway_extra_secrets, ["DATABASE_URL", "SESSION_SECRET", "OIDC_CLIENT_SECRET", "SMTP_URL", "CUFS_TOKEN", "LOOKUP_USERNAME", "LOOKUP_PASSWORD"])) == 0
    error_message = "gateway_extra_secrets: that setting already has its own secret."
  }
}

variable "cufs_extra_env" {
  description = "More plain settings for the CUFS service. Never secrets."
  type        = map(string)
  default     = {}
}

variable "directory" {
  description = "Where the nightly directory-sync reads people (DIRECTORY): \"lookup\" (the University Lookup API, signing in with the lookup-username and lookup-password secrets, which must have a value before the services start) or \"seeded\" (the gateway's own directory_people table, loaded from CSV extracts)."
  type        = string
  default     = "lookup"

  validation {
    condition     = contains(["lookup", "seeded"], var.directory)
    error_message = "directory must be \"lookup\" or \"seeded\"."
  }
}

# ---- schedules and background work --------------------------------------------------------------
variable "schedules" {
  description = "Gateway scheduled job name => cron (five fields, Europe/London). Names must match the gateway's scheduled job types. With SCHEDULES_DRIVER=cloud-scheduler nothing else runs them: a job left out never runs."
  type        = map(string)
  # Every schedule of apps/gateway/src/jobs.ts, at the times it keeps in-process (a test checks they agree).
  default = {
    "delete-expired-sessions"  = "7 * * * *"
    "delete-abandoned-uploads" = "23 3 * * *"
    "directory-sync"           = "30 0 * * *"
    "nightly-lifecycle"        = "15 2 * * *"
    "finance-code-recheck"     = "30 3 * * *"
    "near-quota-warnings"      = "30 6 * * *"
    "waiting-orders-digest"    = "0 8 * * 1"
  }
}

variable "cron_target" {
  description = "Which service Cloud Scheduler calls: \"worker\" (CPU always allocated; needs APP_ROLE=worker to serve /cron/) or \"web\" (through the public URL)."
  type        = string
  default     = "worker"

  validation {
    condition     = contains(["worker", "web"], var.cron_target)
    error_message = "cron_target must be \"worker\" or \"web\"."
  }
}

variable "tasks_retry" {
  description = "Cloud Tasks queue retry policy, one for every task (a gateway job type's own policy applies on pg-boss only). Cloud Tasks stops only once a task has had max_attempts AND max_retry_duration has passed: by default 30 s doubling to 8 min, then every 10 min for a day."
  type = object({
    max_attempts               = number
    min_backoff_seconds        = number
    max_backoff_seconds        = number
    max_doublings              = number
    max_retry_duration_seconds = number
  })
  default = {
    max_attempts               = 5
    min_backoff_seconds        = 30
    max_backoff_seconds        = 600
    max_doublings              = 4
    max_retry_duration_seconds = 86400
  }
}

# ---- capacity -----------------------------------------------------------------------------------
variable "web_max_instances" {
  type    = number
  default = 5
}

variable "worker_min_instances" {
  type    = number
  default = 1
}

variable "worker_max_instances" {
  type    = number
  default = 2
}

variable "database_pool_size" {
  description = "DATABASE_POOL_SIZE per instance. Keep (web_max + worker_max + 1) x pool below the instance's max_connections (100 on the default tier)."
  type        = number
  default     = 8
}

variable "database_tier" {
  type    = string
  default = "db-custom-1-3840"
}

variable "database_availability_type" {
  description = "REGIONAL (automatic failover) for production, ZONAL for test environments."
  type        = string
  default     = "REGIONAL"
}

variable "database_disk_size_gb" {
  type    = number
  default = 20
}

# ---- data ---------------------------------------------------------------------------------------
variable "documents_noncurrent_version_days" {
  description = "Days a replaced or deleted purchase-order document stays recoverable."
  type        = number
  default     = 365
}

variable "documents_retention_days" {
  description = "Optional bucket retention policy in days (null: none). Blocks every delete before that age."
  type        = number
  default     = null
}

variable "subnet_cidr" {
  type    = string
  default = "10.8.0.0/24"
}

variable "deletion_protection" {
  description = "Protect the database, services and job from terraform destroy."
  type        = bool
  default     = true
}
