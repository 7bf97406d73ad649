#include "cli/commands.h"
#include "metrics_manager/version.h"

#ifndef MM_BUILD_TYPE
#define MM_BUILD_TYPE "unknown"
#endif

namespace mm::cli {

int VersionCommand(std::ostream& out) {
  out << "metrics-manager " << kVersion << " (build type " << MM_BUILD_TYPE << ")\n";
  return 0;
}

}  // namespace mm::cli
