#include "suites/bundle.h"

#include <cctype>
#include <filesystem>

#include <fmt/format.h>

#include "core/iso_time.h"

namespace assay {
namespace fs = std::filesystem;

std::string bundle_slug(const std::string& plan_name) {
  std::string slug;
  for (char c : plan_name) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) && u < 128) {
      slug += static_cast<char>(std::tolower(u));
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  if (slug.size() > 60) slug.resize(60);
  return slug.empty() ? "run" : slug;
}

Expected<std::string> create_bundle_dir(const std::string& out_root, const std::string& plan_name,
                                        std::chrono::system_clock::time_point when) {
  std::error_code ec;
  fs::create_directories(out_root, ec);
  if (ec || !fs::is_directory(out_root)) {
    return bad_input(fmt::format("cannot use '{}' as the results directory: {}", out_root,
                                 ec ? ec.message() : "not a directory"));
  }
  const std::string base = compact_utc(when) + "-" + bundle_slug(plan_name);
  for (int attempt = 1; attempt < 1000; ++attempt) {
    const fs::path dir = fs::path(out_root) / (attempt == 1 ? base : fmt::format("{}-{}", base, attempt));
    if (fs::create_directory(dir, ec)) return dir.string();
    if (ec) {
      return bad_input(fmt::format("cannot create bundle directory {}: {}", dir.string(), ec.message()));
    }
  }
  return bad_input(fmt::format("cannot create a new bundle directory under {}", out_root));
}

}  // namespace assay
