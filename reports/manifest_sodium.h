#pragma once
// libsodium helpers shared by the manifest's files. libsodium must be initialised once
// before use (it picks its implementations and opens its random source).

#include <sodium.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace assay {

/// Whether libsodium is usable; initialises it on the first call (thread-safe).
inline bool sodium_ready() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

/// Lowercase hex of `bytes`.
inline std::string to_hex(std::span<const std::uint8_t> bytes) {
  std::string hex(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  hex.pop_back();
  return hex;
}

/// Decodes exactly out.size() bytes of hex; false when `hex` is anything else.
inline bool from_hex(std::string_view hex, std::span<std::uint8_t> out) {
  if (hex.size() != out.size() * 2) return false;
  std::size_t decoded = 0;
  const char* end = nullptr;
  return sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &decoded, &end) == 0 &&
         decoded == out.size() && end == hex.data() + hex.size();
}

}  // namespace assay
