variable "project_id" {
  type = string
}

variable "region" {
  type = string
}

variable "name" {
  description = "Queue name. A deleted queue's name cannot be reused for about 7 days."
  type        = string
}

variable "max_dispatches_per_second" {
  type    = number
  default = 10
}

variable "max_concurrent_dispatches" {
  type    = number
  default = 20
}

variable "retry" {
  type = object({
    max_attempts               = number
    min_backoff_seconds        = number
    max_backoff_seconds        = number
    max_doublings              = number
    max_retry_duration_seconds = number
  })
}

variable "enqueuers" {
  description = "Label => IAM member given roles/cloudtasks.enqueuer on this queue."
  type        = map(string)
}
