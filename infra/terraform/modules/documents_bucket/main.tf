# Purchase-order documents. Private (uniform bucket-level access, public access prevention
# enforced); versioned, so an overwrite or delete keeps the old object as a noncurrent version
# for noncurrent_version_days; soft delete keeps even a purged object recoverable for 7 days.
# An optional retention policy (retention_days) stops any deletion before that age: it suits a
# records policy ("keep POs for 7 years") but also blocks the gateway's own deletes, so it is
# off unless the operator decides on one; lock it by hand once agreed (it cannot be undone).
resource "google_storage_bucket" "this" {
  project                     = var.project_id
  name                        = var.bucket_name
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  labels                      = var.labels

  versioning {
    enabled = true
  }

  soft_delete_policy {
    retention_duration_seconds = 604800
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.noncurrent_version_days
      with_state                 = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  # Abandoned resumable uploads.
  lifecycle_rule {
    condition {
      age = 7
    }
    action {
      type = "AbortIncompleteMultipartUpload"
    }
  }

  dynamic "retention_policy" {
    for_each = var.retention_days == null ? [] : [var.retention_days]
    content {
      retention_period = retention_policy.value * 86400
      is_locked        = false
    }
  }
}

# Read, write, list and delete objects; nothing about the bucket itself.
resource "google_storage_bucket_iam_member" "object_users" {
  # Keyed by a static label: member strings are unknown until the accounts exist.
  for_each = var.object_users

  bucket = google_storage_bucket.this.name
  role   = "roles/storage.objectUser"
  member = each.value
}
