output "ip_address" {
  description = "Point the domain's A record here; the certificate is issued once DNS resolves to it."
  value       = google_compute_global_address.this.address
}
