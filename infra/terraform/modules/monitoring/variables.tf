variable "project_id" {
  type = string
}

variable "environment" {
  type = string
}

variable "domain" {
  type = string
}

variable "alert_email" {
  type = string
}

variable "web_service" {
  type = string
}

variable "worker_service" {
  type = string
}

variable "tasks_queue" {
  description = "Cloud Tasks queue name (not the full path)."
  type        = string
}

variable "scheduler_prefix" {
  description = "Prefix of the Cloud Scheduler job names."
  type        = string
}

variable "migration_job" {
  type = string
}

variable "error_ratio_threshold" {
  description = "Fraction of 5xx responses that raises the alert."
  type        = number
  default     = 0.05
}

variable "job_failure_threshold" {
  description = "ERROR entries from background work per 5 minutes above which the alert fires."
  type        = number
  default     = 0
}
