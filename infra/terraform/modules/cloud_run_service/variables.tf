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
  description = "Full image reference, e.g. europe-west2-docker.pkg.dev/P/ssgw/gateway:TAG."
  type        = string
}

variable "service_account_email" {
  type = string
}

variable "ingress" {
  description = "INGRESS_TRAFFIC_ALL, INGRESS_TRAFFIC_INTERNAL_ONLY or INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER."
  type        = string

  validation {
    condition     = contains(["INGRESS_TRAFFIC_ALL", "INGRESS_TRAFFIC_INTERNAL_ONLY", "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"], var.ingress)
    error_message = "ingress must be INGRESS_TRAFFIC_ALL, INGRESS_TRAFFIC_INTERNAL_ONLY or INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER."
  }
}

variable "custom_audiences" {
  type    = list(string)
  default = []
}

variable "min_instances" {
  type = number
}

variable "max_instances" {
  type = number
}

variable "cpu_idle" {
  type = bool
}

variable "cpu" {
  type    = string
  default = "1"
}

variable "memory" {
  type    = string
  default = "512Mi"
}

variable "concurrency" {
  type    = number
  default = 80
}

variable "timeout_seconds" {
  type    = number
  default = 300
}

variable "env" {
  description = "Plain environment variables (never secrets). PORT is set by Cloud Run and must not appear here."
  type        = map(string)
  default     = {}

  validation {
    condition     = !contains(keys(var.env), "PORT")
    error_message = "PORT is reserved: Cloud Run sets it."
  }
}

variable "secret_env" {
  description = "Environment variable => Secret Manager secret id (version \"latest\")."
  type        = map(string)
  default     = {}
}

variable "cloud_sql_connection" {
  description = "PROJECT:REGION:INSTANCE to mount under /cloudsql, or null."
  type        = string
  default     = null
}

variable "vpc_subnetwork" {
  description = "Subnetwork for Direct VPC egress (all traffic), or null for none."
  type        = string
  default     = null
}

variable "invokers" {
  description = "Label => IAM member given roles/run.invoker (\"allUsers\" for a public site)."
  type        = map(string)
  default     = {}
}

variable "health_path" {
  type    = string
  default = "/healthz"
}

variable "deletion_protection" {
  type = bool
}

variable "labels" {
  type    = map(string)
  default = {}
}
