#pragma once

#include <string>

#include "absl/status/status.h"
#include "libs/db/connection.h"

namespace zhigai::db {

// A service's place in PostgreSQL: its schema and the role that owns it and nothing else.
struct ServiceDatabase {
  std::string schema;    // e.g. "registry"
  std::string role;      // e.g. "zhigai_registry"
  std::string password;  // set on the role (local clusters use it over loopback)
};

// Run with an administrator connection: creates the role and schema when missing, makes the
// role the schema's owner with search_path set to it, and gives it no rights elsewhere.
// Idempotent; used by `zhigai-admin provision`, the test harness and the Kubernetes dev job.
absl::Status ProvisionServiceSchema(Connection& admin, const ServiceDatabase& service);

// "host=... port=... dbname=... user=<role> password=..." with search_path pinned to the schema.
std::string ServiceConninfo(const std::string& host, int port, const std::string& dbname,
                            const ServiceDatabase& service);

}  // namespace zhigai::db
