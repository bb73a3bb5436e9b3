#pragma once
// storage.rand: 4 KiB (block) random reads, then random writes, with a queue of
// requests kept full (fio randread/randwrite, ioengine=io_uring, direct=1, iodepth=N,
// time_based, ramp_time): IOPS per second of a timed window after a ramp, and latency
// percentiles. Every read is checked against what was laid out, and a sample of the
// blocks written is read back and checked. See docs/probes/storage.md.

#include <memory>

#include "probes/probe.h"

namespace assay {

std::unique_ptr<Probe> make_storage_rand_probe();

}  // namespace assay
