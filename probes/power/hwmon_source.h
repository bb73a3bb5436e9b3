#pragma once
// Power and energy sensors of the Linux hwmon class (Documentation/hwmon/sysfs-interface
// in the kernel): GPUs (amdgpu's "PPT"), power supplies, some CPUs and NVMe drives.
// Under the root (default /sys/class/hwmon) each hwmon<N> (a directory or, as in sysfs,
// a symlink to one) holds a `name` file and per channel K:
//   power<K>_input, else power<K>_average  microwatts now / over the driver's window
//   energy<K>_input                       microjoules, cumulative since some origin
//   power<K>_label, energy<K>_label       what the channel measures (optional)
//
// Domains are "<name>/<label>", or "<name>/power<K>" / "<name>/energy<K>" without a
// label. When several hwmon devices with channels share a name (two NVMe drives), each
// of them is called "<name>@hwmon<N>", e.g. "nvme@hwmon3/power1". When two channels of
// one kind in one device share a label, each becomes "<label>:power<K>". A power and an
// energy channel with the same label are one domain with both figures.

#include <memory>

#include "core/expected.h"
#include "probes/power/power_source.h"

namespace assay {

/// Finds every power and energy channel under options.root (empty: /sys/class/hwmon) and
/// reads each once. Unreadable channels are left out and listed by describe(); an
/// environment Error when no channel was found ("no hwmon power or energy sensor under
/// ROOT") or none could be read (naming the files and why).
Expected<std::unique_ptr<PowerSource>> open_hwmon_source(const PowerSourceOptions& options);

}  // namespace assay
