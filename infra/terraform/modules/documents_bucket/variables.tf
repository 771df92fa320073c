variable "project_id" {
  type = string
}

variable "region" {
  type = string
}

variable "bucket_name" {
  type = string
}

variable "labels" {
  type    = map(string)
  default = {}
}

variable "noncurrent_version_days" {
  description = "Days a replaced or deleted document is kept as a noncurrent version."
  type        = number
}

variable "retention_days" {
  description = "Minimum age before any object may be deleted or replaced (null: no retention policy)."
  type        = number
  default     = null
}

variable "object_users" {
  description = "Label => IAM member given roles/storage.objectUser on the bucket."
  type        = map(string)
}
