output "network_id" {
  value = google_compute_network.this.id
}

output "subnetwork_id" {
  value = google_compute_subnetwork.run.id
}

output "nat_ip" {
  description = "The single public address all gateway egress uses (give it to the SMTP relay's allow-list)."
  value       = google_compute_address.nat.address
}
