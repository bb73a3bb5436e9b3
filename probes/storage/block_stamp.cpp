#include "probes/storage/block_stamp.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

namespace assay {
namespace {

constexpr std::size_t header_bytes = 32;
constexpr std::size_t payload_bytes = stamp_unit_bytes - header_bytes;
constexpr std::size_t pool_bytes = std::size_t{2} << 20;
constexpr char magic[8] = {'A', 'S', 'S', 'A', 'Y', 'S', 'T', '1'};

// SplitMix64: a full-period mixer, used both to seed the pool generator and to place
// each unit's payload in the pool.
std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct Header {
  char magic[8];
  std::uint64_t run;
  std::uint32_t file;
  std::uint32_t reserved;
  std::uint64_t unit;
};
static_assert(sizeof(Header) == header_bytes);

Header header_for(std::uint64_t run, std::uint32_t file, std::uint64_t unit) {
  Header h{};
  std::memcpy(h.magic, magic, sizeof magic);
  h.run = run;
  h.file = file;
  h.unit = unit;
  return h;
}

bool all_zero(std::span<const std::byte> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](std::byte b) { return b == std::byte{0}; });
}

// Why a unit that is not what was written differs, in words an operator can act on.
std::string describe_bad_unit(std::span<const std::byte> unit, const Header& expected, const std::byte* payload) {
  if (all_zero(unit)) return "reads as zeros (the write was lost or never reached the device)";
  Header found{};
  std::memcpy(&found, unit.data(), header_bytes);
  if (std::memcmp(found.magic, magic, sizeof magic) != 0) {
    return "holds data assay did not write here (no stamp: overwritten by someone else, or corrupted)";
  }
  if (found.run != expected.run) return "holds data of another run (stale: the write did not replace it)";
  if (found.file != expected.file || found.unit != expected.unit) {
    return fmt::format("holds the data of file {} offset {} (a misdirected write)", found.file,
                       found.unit * stamp_unit_bytes);
  }
  std::size_t differing = 0, first = 0;
  const std::byte* got = unit.data() + header_bytes;
  for (std::size_t i = 0; i < payload_bytes; ++i) {
    if (got[i] != payload[i]) {
      if (differing == 0) first = i;
      ++differing;
    }
  }
  return fmt::format("{} from what was written, first at byte {} of the 4 KiB unit",
                     differing == 1 ? std::string("1 byte differs") : fmt::format("{} bytes differ", differing),
                     header_bytes + first);
}

}  // namespace

StampPattern::StampPattern(std::uint64_t run) : run_(run), pool_(pool_bytes) {
  // xorshift64* from a mixed seed: the content only has to be incompressible and
  // reproducible from `run`, not cryptographic.
  std::uint64_t state = mix64(run) | 1;
  for (std::size_t i = 0; i < pool_bytes; i += 8) {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    const std::uint64_t word = state * 0x2545f4914f6cdd1dULL;
    std::memcpy(pool_.data() + i, &word, 8);
  }
}

const std::byte* StampPattern::payload_for(std::uint32_t file, std::uint64_t unit) const {
  constexpr std::uint64_t places = (pool_bytes - payload_bytes) / 8;
  const std::uint64_t place = mix64(run_ ^ (std::uint64_t{file} << 40) ^ mix64(unit)) % places;
  return pool_.data() + place * 8;
}

void StampPattern::fill(std::span<std::byte> block, std::uint32_t file, std::uint64_t offset) const {
  const std::uint64_t first_unit = offset / stamp_unit_bytes;
  for (std::size_t at = 0; at + stamp_unit_bytes <= block.size(); at += stamp_unit_bytes) {
    const std::uint64_t unit = first_unit + at / stamp_unit_bytes;
    const Header h = header_for(run_, file, unit);
    std::memcpy(block.data() + at, &h, header_bytes);
    std::memcpy(block.data() + at + header_bytes, payload_for(file, unit), payload_bytes);
  }
}

std::optional<std::string> StampPattern::check(std::span<const std::byte> block, std::uint32_t file,
                                               std::uint64_t offset) const {
  const std::uint64_t first_unit = offset / stamp_unit_bytes;
  for (std::size_t at = 0; at + stamp_unit_bytes <= block.size(); at += stamp_unit_bytes) {
    const std::uint64_t unit = first_unit + at / stamp_unit_bytes;
    const Header h = header_for(run_, file, unit);
    const std::byte* payload = payload_for(file, unit);
    const std::span<const std::byte> got = block.subspan(at, stamp_unit_bytes);
    if (std::memcmp(got.data(), &h, header_bytes) == 0 &&
        std::memcmp(got.data() + header_bytes, payload, payload_bytes) == 0) {
      continue;
    }
    return fmt::format("offset {}: {}", unit * stamp_unit_bytes, describe_bad_unit(got, h, payload));
  }
  if (block.size() % stamp_unit_bytes != 0) {
    return fmt::format("offset {}: a read of {} bytes is not a whole number of 4 KiB units", offset, block.size());
  }
  return std::nullopt;
}

std::uint64_t new_run_nonce() {
  std::uint64_t nonce = 0;
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  if (urandom.read(reinterpret_cast<char*>(&nonce), sizeof nonce) && nonce != 0) return nonce;
  const auto now = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  return mix64(now ^ (static_cast<std::uint64_t>(::getpid()) << 32));
}

}  // namespace assay
