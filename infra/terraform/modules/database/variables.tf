variable "project_id" {
  type = string
}

variable "region" {
  type = string
}

variable "instance_name" {
  type = string
}

variable "tier" {
  type = string
}

variable "availability_type" {
  description = "REGIONAL (high availability, production) or ZONAL."
  type        = string
}

variable "disk_size_gb" {
  type = number
}

variable "backup_retention_count" {
  type    = number
  default = 14
}

variable "deletion_protection" {
  type = bool
}

variable "labels" {
  type    = map(string)
  default = {}
}

variable "databases" {
  description = "Database name => the user that owns the application's connection to it."
  type        = map(string)
}
