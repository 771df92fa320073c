terraform {
  required_version = ">= 1.6"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 7.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # State in a GCS bucket created once by hand (versioned, uniform access, restricted to the
  # deployers: state holds the generated database passwords and session secret):
  #   terraform init -backend-config="bucket=<state-bucket>" -backend-config="prefix=ssgw/<environment>"
  backend "gcs" {}
}

provider "google" {
  project = var.project_id
  region  = var.region

  default_labels = {
    app         = "storage-self-service-gateway"
    environment = var.environment
    managed-by  = "terraform"
  }
}
