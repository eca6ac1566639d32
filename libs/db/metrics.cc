#include "libs/db/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace zhigai::db {
namespace {
const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* b = new prometheus::Histogram::BucketBoundaries{
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
  return *b;
}
}  // namespace

StatementMetrics::StatementMetrics(prometheus::Registry* registry) {
  if (!registry) return;
  latency_ = &prometheus::BuildHistogram()
                  .Name("zhigai_db_statement_duration_seconds")
                  .Help("Latency of each named SQL statement")
                  .Register(*registry);
  errors_ = &prometheus::BuildCounter()
                 .Name("zhigai_db_statement_errors_total")
                 .Help("Failed executions of each named SQL statement")
                 .Register(*registry);
  auto& pool = prometheus::BuildGauge()
                   .Name("zhigai_db_pool_connections")
                   .Help("Connections of the pool by state")
                   .Register(*registry);
  busy_ = &pool.Add({{"state", "busy"}});
  idle_ = &pool.Add({{"state", "idle"}});
  size_ = &pool.Add({{"state", "max"}});
  wait_ = &prometheus::BuildHistogram()
               .Name("zhigai_db_pool_wait_seconds")
               .Help("Time spent waiting for a pooled connection")
               .Register(*registry)
               .Add({}, LatencyBuckets());
}

void StatementMetrics::Observe(const std::string& statement, double seconds, bool ok) {
  if (!latency_) return;
  prometheus::Histogram* h;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_statement_.find(statement);
    if (it == by_statement_.end()) {
      it = by_statement_
               .emplace(statement, &latency_->Add({{"statement", statement}}, LatencyBuckets()))
               .first;
    }
    h = it->second;
  }
  h->Observe(seconds);
  if (!ok) errors_->Add({{"statement", statement}}).Increment();
}

void StatementMetrics::SetPool(int busy, int idle, int size) {
  if (!busy_) return;
  busy_->Set(busy);
  idle_->Set(idle);
  size_->Set(size);
}

void StatementMetrics::ObserveWait(double seconds) {
  if (wait_) wait_->Observe(seconds);
}

}  // namespace zhigai::db
