variable "project_id" {
  type = string
}

variable "region" {
  type = string
}

variable "name_prefix" {
  type = string
}

variable "domain" {
  type = string
}

variable "cloud_run_service" {
  description = "Name of the Cloud Run service behind the load balancer (gateway-web)."
  type        = string
}
