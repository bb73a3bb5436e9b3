#pragma once
// The files under configs/ as compiled into the binary (cmake/embed_files.cmake).

#include <span>
#include <string_view>

namespace assay {

/// One embedded file: its path relative to configs/ (e.g. "specs/nvidia.toml") and
/// its bytes.
struct EmbeddedFile {
  std::string_view path;
  std::string_view content;
};

/// Every embedded file, sorted by path.
std::span<const EmbeddedFile> embedded_configs();

}  // namespace assay
