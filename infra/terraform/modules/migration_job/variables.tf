variable "project_id" {
  type = string
}

variable "region" {
  type = string
}

variable "name" {
  type = string
}

variable "image" {
  type = string
}

variable "service_account_email" {
  type = string
}

variable "args" {
  description = "What node runs: the script and its arguments."
  type        = list(string)
}

variable "gcs_volume" {
  description = "A bucket to mount read-only at mount_path, or null."
  type = object({
    bucket     = string
    mount_path = string
  })
  default = null
}

variable "cloud_sql_connection" {
  type = string
}

variable "env" {
  type    = map(string)
  default = {}
}

variable "secret_env" {
  type    = map(string)
  default = {}
}

variable "timeout_seconds" {
  type    = number
  default = 900
}

variable "deletion_protection" {
  type = bool
}

variable "labels" {
  type    = map(string)
  default = {}
}
