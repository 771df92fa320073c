variable "project_id" {
  type = string
}

variable "region" {
  type = string
}

variable "name_prefix" {
  type = string
}

variable "labels" {
  type    = map(string)
  default = {}
}

variable "secrets" {
  description = "Secret key (becomes <name_prefix>-<key>) => what it holds."
  type        = map(string)
}

variable "generated_keys" {
  description = "Keys of the secrets whose value Terraform writes (listed separately because for_each cannot use sensitive values)."
  type        = list(string)
  default     = []
}

variable "generated_values" {
  description = "Key => value for generated_keys."
  type        = map(string)
  sensitive   = true
  default     = {}
}

variable "accessors" {
  description = "Secret key => { label => IAM member } that may read it (labels are static so for_each keys are known at plan time)."
  type        = map(map(string))
  default     = {}
}
