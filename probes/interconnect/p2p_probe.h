#pragma once
// interconnect.p2p: latency (osu_latency), bandwidth in each direction (osu_bw) and
// bidirectional bandwidth (osu_bibw) of every pair of nodes, the pairs scheduled as a
// round-robin tournament and every message checked against its sender's pattern. See
// docs/probes/interconnect.md.

#include <memory>

#include "core/expected.h"
#include "core/params.h"
#include "probes/interconnect/p2p_measurement.h"
#include "probes/probe.h"

namespace assay {

/// The probe, for the registry.
std::unique_ptr<Probe> make_interconnect_p2p_probe();

/// The settings a resolved parameter list asks for; a bad_input Error names the
/// parameter (e.g. a window of receive buffers larger than this host can hold, given
/// its `available_bytes`, 0 = unknown).
Expected<P2pSettings> p2p_settings(const ParamList& params, std::int64_t available_bytes);

}  // namespace assay
