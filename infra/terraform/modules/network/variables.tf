variable "project_id" {
  type = string
}

variable "region" {
  type = string
}

variable "name_prefix" {
  type = string
}

variable "subnet_cidr" {
  description = "Range for Direct VPC egress addresses; Cloud Run needs about twice its maximum instance count. /24 is ample."
  type        = string
}
