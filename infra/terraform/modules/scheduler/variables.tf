variable "project_id" {
  type = string
}

variable "region" {
  type = string
}

variable "name_prefix" {
  type = string
}

variable "schedules" {
  description = "Gateway job name => five-field cron in Europe/London."
  type        = map(string)
}

variable "target_url" {
  description = "Base URL the jobs call (the worker service's run.app URL by default)."
  type        = string
}

variable "audience" {
  description = "Audience of the OIDC token: what the gateway checks (TASKS_AUDIENCE)."
  type        = string
}

variable "invoker_email" {
  type = string
}

variable "attempt_deadline_seconds" {
  type    = number
  default = 600
}

variable "paused" {
  type    = bool
  default = false
}
