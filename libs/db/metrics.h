#pragma once

#include <map>
#include <mutex>
#include <string>

namespace prometheus {
class Registry;
class Histogram;
class Counter;
class Gauge;
template <typename T>
class Family;
}  // namespace prometheus

namespace zhigai::db {

// Statement latency by statement name and pool figures, on the service's Prometheus registry.
class StatementMetrics {
 public:
  explicit StatementMetrics(prometheus::Registry* registry);
  void Observe(const std::string& statement, double seconds, bool ok);
  void SetPool(int busy, int idle, int size);
  void ObserveWait(double seconds);

 private:
  prometheus::Family<prometheus::Histogram>* latency_ = nullptr;
  prometheus::Family<prometheus::Counter>* errors_ = nullptr;
  prometheus::Gauge* busy_ = nullptr;
  prometheus::Gauge* idle_ = nullptr;
  prometheus::Gauge* size_ = nullptr;
  prometheus::Histogram* wait_ = nullptr;
  std::mutex mu_;
  std::map<std::string, prometheus::Histogram*> by_statement_;
};

}  // namespace zhigai::db
