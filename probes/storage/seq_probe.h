#pragma once
// storage.seq: sequential write, then read-back, of large blocks over one or more files
// per thread, O_DIRECT where the file system allows it, every block read back checked
// against what was written. Across nodes, IO500-style phases with a stonewall and an
// aggregate figure. See docs/probes/storage.md.

#include <memory>

#include "probes/probe.h"

namespace assay {

std::unique_ptr<Probe> make_storage_seq_probe();

}  // namespace assay
