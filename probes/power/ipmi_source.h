#pragma once
// The node's power from its BMC over IPMI DCMI ("Get Power Reading"), read by running
// ipmitool rather than speaking IPMI ourselves: ipmitool is packaged in Debian (and
// every other distribution), already knows the kernel driver and the lanplus (RMCP+)
// session protocol with its ciphers, and its -E flag takes the password from the
// IPMI_PASSWORD environment variable, so the password never appears on a command line
// that `ps` or /proc/<pid>/cmdline would show.
//
//   local  (options.endpoint empty):  ipmitool dcmi power reading
//   remote (options.endpoint = HOST[:PORT]):
//          ipmitool -I lanplus -H HOST [-p PORT] -U USER -E dcmi power reading
//          with USER and the password from load_bmc_credentials(options.credentials_file)
//          and the password only in the child's IPMI_PASSWORD.
//
// From the output, "Instantaneous power reading: N Watts" is the single domain "node";
// "Power reading state is: deactivated" is an error, since the figures are then stale.
// ipmitool runs without a shell, in its own process group, with stdin /dev/null; one
// that outlives the timeout is killed with its group.

#include <chrono>
#include <memory>

#include "core/expected.h"
#include "probes/power/power_source.h"

namespace assay {

/// How long one ipmitool run may take; a lanplus session to a slow BMC takes a few
/// seconds, one that takes longer is not coming back.
inline constexpr std::chrono::milliseconds kIpmitoolTimeout{10000};

/// Runs ipmitool once to check that the BMC answers, then once per read().
///
/// options.ipmitool: the program, a path or a name looked up on PATH (empty:
/// "ipmitool"); not found is an environment Error "ipmitool not found ...".
/// The local BMC needs the kernel's IPMI device (/dev/ipmi0, /dev/ipmi/0 or
/// /dev/ipmidev/0); without one, and without an endpoint, opening is an environment
/// Error "no local BMC (/dev/ipmi0 absent)". That check is made only when
/// options.ipmitool is empty: a program named explicitly is trusted to know how to reach
/// its BMC (a wrapper, a remote shell, or the tests' stand-in), so it is simply run.
///
/// `timeout` bounds each ipmitool run (tests shorten it). Errors: a non-zero exit (with
/// ipmitool's stderr), the timeout, output without a power reading, and a deactivated
/// power reading are environment Errors; missing credentials are bad_input.
Expected<std::unique_ptr<PowerSource>> open_ipmi_source(const PowerSourceOptions& options,
                                                        std::chrono::milliseconds timeout = kIpmitoolTimeout);

}  // namespace assay
