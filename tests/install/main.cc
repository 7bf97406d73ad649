// The README's C++ example, built against the installed package: collect CPU_Usage,
// Memory_Usage and a custom metric, then read them back with PromQL.
#include <metrics_manager/metrics_manager.h>

#include <chrono>
#include <cstdio>
#include <thread>

using namespace std::chrono_literals;

static double read_depth() { return 42; }

int main() {
  mm::MetricsManager manager;
  manager.add_metric("CPU_Usage", {.source = "system", .interval = 1s});
  manager.add_metric("Memory_Usage", {.source = "system", .interval = 1s});
  manager.add_metric("Queue_Depth",
                     {.source = "custom", .interval = 500ms, .callback = [] { return read_depth(); }});
  manager.start();
  std::this_thread::sleep_for(2500ms);
  auto cpu = manager.query("CPU_Usage");
  auto mem = manager.query("Memory_Usage");
  auto depth = manager.query("Queue_Depth");
  manager.stop();
  manager.stop();  // idempotent

  double c = cpu.ValueOr(-1), m = mem.ValueOr(-1), d = depth.ValueOr(-1);
  std::printf("CPU_Usage=%.2f Memory_Usage=%.2f Queue_Depth=%.0f\n", c, m, d);
  if (c < 0 || c > 100 || m <= 0 || m > 100 || d != 42) return 1;
  try {
    mm::MetricsManager other;
    other.add_metric("X", {.source = "nonsense"});
    return 1;  // must have thrown
  } catch (const mm::Error& e) {
    std::printf("expected error: %s\n", e.what());
  }
  return 0;
}
