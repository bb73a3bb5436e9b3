#include "probes/gpu/nccl_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cmath>

#include "probes/interconnect/bus_bandwidth.h"
#include "probes/interconnect/collective_probe.h"

namespace assay::gpu {

Collective to_collective(NcclCollective collective) {
  switch (collective) {
    case NcclCollective::all_reduce: return Collective::allreduce;
    case NcclCollective::all_gather: return Collective::allgather;
    case NcclCollective::reduce_scatter: return Collective::reduce_scatter;
    case NcclCollective::all_to_all: return Collective::alltoall;
  }
  return Collective::allreduce;
}

std::string_view nccl_collective_name(NcclCollective collective) {
  return collective_name(to_collective(collective));
}

std::string nccl_busbw_key(NcclCollective collective) {
  return fmt::format("interconnect.nccl.{}.busbw", nccl_collective_name(collective));
}

Expected<std::vector<NcclCollective>> parse_nccl_collectives(std::string_view probe, std::string_view text) {
  std::vector<bool> wanted(std::size(kAllNcclCollectives), false);
  bool any = false;
  if (text == "all") {
    std::fill(wanted.begin(), wanted.end(), true);
    any = true;
  }
  std::string_view rest = text == "all" ? std::string_view() : text;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    bool known = false;
    for (std::size_t i = 0; i < std::size(kAllNcclCollectives); ++i) {
      if (item == nccl_collective_name(kAllNcclCollectives[i])) {
        wanted[i] = known = any = true;
      }
    }
    if (!known) {
      return bad_input(fmt::format("{}: collectives='{}': '{}' is not one of all, allreduce, allgather, "
                                   "reduce_scatter, alltoall",
                                   probe, text, item));
    }
  }
  if (!any) {
    return bad_input(fmt::format("{}: collectives='{}': expected 'all' or a list such as allreduce,alltoall", probe,
                                 text));
  }
  std::vector<NcclCollective> collectives;
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    if (wanted[i]) collectives.push_back(kAllNcclCollectives[i]);
  }
  return collectives;
}

Expected<NcclWorld> nccl_world(std::span<const int> gpus_per_process, int process) {
  if (process < 0 || static_cast<std::size_t>(process) >= gpus_per_process.size()) {
    return internal_error(fmt::format("NCCL world: process {} of {}", process, gpus_per_process.size()));
  }
  NcclWorld world;
  long long total = 0;
  for (std::size_t p = 0; p < gpus_per_process.size(); ++p) {
    const int count = gpus_per_process[p];
    if (count < 1) {
      return environment_error(fmt::format("process {} reported {} GPUs; every process taking part needs at least one",
                                           p, count));
    }
    world.first_ranks.push_back(static_cast<int>(total));
    world.counts.push_back(count);
    total += count;
    if (total > INT_MAX) return environment_error("more GPUs in the job than NCCL ranks can number (INT_MAX)");
  }
  world.ranks = static_cast<int>(total);
  world.first_rank = world.first_ranks[static_cast<std::size_t>(process)];
  world.local = world.counts[static_cast<std::size_t>(process)];
  return world;
}

std::string nccl_layout_text(const NcclWorld& world, std::span<const std::string> nodes, std::size_t most) {
  std::string text;
  const std::size_t processes = world.counts.size();
  for (std::size_t p = 0; p < processes; ++p) {
    if (p == most && processes > most + 1) {
      text += fmt::format("; ... {} more processes ...", processes - most - 1);
      p = processes - 1;
    }
    const std::string name = p < nodes.size() && !nodes[p].empty() ? nodes[p] : fmt::format("rank {}", p);
    const int first = world.first_ranks[p], count = world.counts[p];
    text += fmt::format("{}{}: {} GPU{} as rank{} {}", text.empty() ? "" : "; ", name, count, count == 1 ? "" : "s",
                        count == 1 ? "" : "s",
                        count == 1 ? fmt::format("{}", first) : fmt::format("{}-{}", first, first + count - 1));
  }
  return text;
}

std::vector<NcclSize> nccl_sweep(NcclCollective collective, std::int64_t min_bytes, std::int64_t max_bytes, int ranks) {
  std::vector<NcclSize> sizes;
  const auto n = static_cast<std::uint64_t>(std::max(ranks, 1));
  for (const CollectiveLayout& layout : collective_sweep(to_collective(collective), min_bytes, max_bytes, ranks)) {
    NcclSize size;
    size.size_bytes = layout.size_bytes;
    size.send_elements = layout.send_elements;
    size.receive_elements = layout.receive_elements;
    size.block_elements = layout.block_elements;
    if (collective != NcclCollective::all_reduce) {
      // nccl-tests rounds each rank's block down to 16 bytes (*GetCollByteCount), so
      // that every block NCCL moves is aligned for its vector loads; at least one.
      const std::uint64_t block = std::max(kNcclBlockAlignment, size.block_elements / kNcclBlockAlignment *
                                                                    kNcclBlockAlignment);
      size.block_elements = block;
      size.send_elements = collective == NcclCollective::all_gather ? block : block * n;
      size.receive_elements = collective == NcclCollective::reduce_scatter ? block : block * n;
      size.size_bytes = static_cast<std::int64_t>(block * n) * collective_element_bytes;
    }
    if (sizes.empty() || size.size_bytes > sizes.back().size_bytes) sizes.push_back(size);
  }
  return sizes;
}

std::vector<float> encode_nccl_id(const NcclId& id) {
  std::vector<float> floats(kEncodedNcclIdFloats, 0.0f);
  if (!id.error.empty() || id.bytes.size() != kNcclIdBytes) return floats;
  floats[0] = 1.0f;
  for (std::size_t i = 0; i < kNcclIdBytes; ++i) {
    floats[1 + i] = static_cast<float>(static_cast<unsigned char>(id.bytes[i]));
  }
  return floats;
}

Expected<std::vector<char>> decode_nccl_id(std::span<const float> floats) {
  if (floats.size() != kEncodedNcclIdFloats) {
    return internal_error(fmt::format("NCCL unique id: {} floats, expected {}", floats.size(), kEncodedNcclIdFloats));
  }
  if (floats[0] != 1.0f) {
    return environment_error("the process of rank 0 could not make the NCCL unique id (its result says why)");
  }
  std::vector<char> bytes(kNcclIdBytes);
  for (std::size_t i = 0; i < kNcclIdBytes; ++i) {
    const float value = floats[1 + i];
    if (!(value >= 0.0f && value <= 255.0f) || std::floor(value) != value) {
      return internal_error(fmt::format("NCCL unique id: byte {} arrived as {}", i, value));
    }
    bytes[i] = static_cast<char>(static_cast<unsigned char>(value));
  }
  return bytes;
}

}  // namespace assay::gpu
