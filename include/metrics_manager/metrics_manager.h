// Umbrella header for the metrics-manager C++ API (namespace mm).
// Collect metrics (MetricsManager::add_metric), store them in the embedded TSDB, query them with
// PromQL, plot them (plot_metrics). See README.md for a complete example.
#pragma once

#include "metrics_manager/error.h"
#include "metrics_manager/labels.h"
#include "metrics_manager/manager.h"
#include "metrics_manager/plot.h"
#include "metrics_manager/point.h"
#include "metrics_manager/query_result.h"
#include "metrics_manager/version.h"
