variable "project_id" {
  type = string
}

variable "name_prefix" {
  description = "Prefix for account ids; account ids are 6-30 characters, so keep it short."
  type        = string
}
