#include "suites/host_plan.h"

#include <sstream>

#include "configs/embedded_configs.h"
#include "core/units.h"
#include "suites/toml_reader.h"

namespace assay {
namespace {

// Text from /proc goes into comments; a line break there would end the comment.
std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

bool rates_memory(const CatalogEntry* entry) {
  return entry && entry->figure("memory.stream.triad") != nullptr;
}

void write_header(const HostCpu& cpu, const HostMemory& memory, const std::string& host_name,
                  std::ostringstream& out) {
  out << "# assay plan for " << one_line(host_name) << ", written by `assay plan init --from-host`.\n"
      << "# Check every line against the contract, then `assay plan check` this file and\n"
      << "# `assay run` it. docs/plans.md describes every key.\n"
      << "#\n"
      << "# This node as /proc and /sys describe it:\n"
      << "#   CPU     " << (cpu.model_name.empty() ? "(model name not readable)" : one_line(cpu.model_name));
  if (!cpu.vendor.empty()) {
    out << " (" << one_line(cpu.vendor) << " family " << cpu.family << " model " << cpu.model << ")";
  }
  out << "\n"
      << "#   sockets " << cpu.sockets << ", cores " << cpu.cores << ", logical CPUs "
      << cpu.logical_cpus << "\n"
      << "#   memory  "
      << (memory.total_bytes > 0 ? format_quantity(static_cast<double>(memory.total_bytes), Unit::byte)
                                 : std::string("(unknown)"))
      << ", NUMA nodes " << memory.numa_nodes << "\n";
  if (cpu.hypervisor) {
    out << "#   running under a hypervisor: figures may fall short of the hardware's\n";
  }
  out << "\n";
}

void write_node(const HostCpu& cpu, const CatalogEntry* entry, std::ostringstream& out) {
  out << "[node]\n";
  if (entry) {
    out << "cpu = " << toml_quote(entry->id) << "   # " << one_line(entry->name) << "; "
        << one_line(entry->source) << " (" << one_line(entry->revision) << ")\n";
  } else {
    out << "# No catalog entry matched the model name \"" << one_line(cpu.model_name) << "\".\n"
        << "# Name one with cpu = \"<id>\" (`assay specs list` shows them), or write what was\n"
        << "# promised in [rated] below; metrics without a rated figure are reported as INFO.\n";
  }
  out << "cpu_sockets = " << (cpu.sockets > 0 ? cpu.sockets : 1) << "\n"
      << "# gpu = \"nvidia-h100-sxm5\"   # a catalog GPU entry, per device\n"
      << "# gpus = 8                   # GPUs per node (required with gpu)\n\n";
}

void write_rated(const CatalogEntry* entry, int sockets, std::ostringstream& out) {
  out << "[rated]\n";
  if (entry) {
    out << "# The catalog entry rates, per socket (the plan judges all " << sockets
        << (sockets == 1 ? " socket" : " sockets") << " together):\n";
    for (const auto& f : entry->figures) {
      out << "#   " << f.key << " = " << format_quantity(f.quantity);
      if (!f.note.empty()) out << "  (" << one_line(f.note) << ")";
      if (f.unconfirmed) out << "  [unconfirmed]";
      out << "\n";
    }
    out << "# A figure written here replaces the catalog's for this plan, e.g.\n";
  } else {
    out << "# What the vendor or the contract promised for this node (all sockets), e.g.\n"
        << "# \"cpu.fma.fp64\" = { value = \"5.5 TFLOP/s\", source = \"vendor datasheet rev 3\" }\n";
  }
  out << "# \"memory.stream.triad\" = { value = \"600 GB/s\", source = \"contract 4.3\" }\n\n";
}

void write_criteria(const CatalogEntry* entry, std::ostringstream& out) {
  out << "[criteria]\n"
      << "min_fraction = 0.90         # FAIL below 90% of the rated figure\n"
      << "# warn_fraction = 0.95      # WARN between min_fraction and this\n"
      << "fleet_max_cv = 0.05         # largest spread of one metric across nodes\n"
      << "fleet_outlier_mads = 3.0    # a node this many MADs below the median is an outlier\n"
      << "# The catalog's memory figure is the theoretical DRAM peak (channels x MT/s x 8 B);\n"
      << "# STREAM reaches about 70-85% of it on current servers, so judge it on its own terms:\n";
  out << (rates_memory(entry) ? "" : "# ")
      << "\"memory.stream.*\" = { min_fraction = 0.70, warn_fraction = 0.80 }\n\n";
}

void write_run(std::ostringstream& out) {
  out << "[run]\n"
      << "suite = \"standard\"          # quick | standard | burnin\n"
      << "# probes = [\"cpu.fma\", \"cpu.gemm\", \"memory.stream\"]   # replaces the suite's list\n\n"
      << "# Probe parameters: [probes] for every probe that accepts them, [probes.<family>],\n"
      << "# [probes.<family>.<probe>]; `assay list` shows each probe's parameters.\n"
      << "# [probes.cpu.gemm]\n"
      << "# n = 8192\n";
}

}  // namespace

std::string host_plan_toml(const HostCpu& cpu, const HostMemory& memory, const Catalog& catalog,
                           std::string host_name) {
  if (host_name.empty()) host_name = "this node";
  const CatalogEntry* entry = catalog.find_cpu_by_model_name(cpu.model_name);
  const int sockets = cpu.sockets > 0 ? cpu.sockets : 1;
  std::ostringstream out;
  write_header(cpu, memory, host_name, out);
  out << "[system]\n"
      << "name = " << toml_quote(host_name) << "\n"
      << "nodes = 1                   # nodes of this kind the acceptance covers\n"
      << "description = \"\"\n\n";
  write_node(cpu, entry, out);
  write_rated(entry, sockets, out);
  write_criteria(entry, out);
  write_run(out);
  return out.str();
}

std::string template_plan_toml() {
  // The example is data (configs/examples/h100-lot.toml), embedded like the catalog.
  for (const auto& f : embedded_configs()) {
    if (f.path == "examples/h100-lot.toml") return std::string(f.content);
  }
  return "# The example plan (configs/examples/h100-lot.toml) is missing from this build.\n";
}

}  // namespace assay
