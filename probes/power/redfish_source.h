#pragma once
// The power a BMC reports over Redfish (DMTF DSP0268), read with libcurl.
//
// Opening walks /redfish/v1/Chassis and, for each chassis, takes the first of:
//   EnvironmentMetrics  PowerWatts.Reading (W) and EnergyJoules.Reading, else
//                       EnergykWh.Reading, as the energy counter (the newer schema)
//   PowerSubsystem      the sum over PowerSupplies of each supply's Metrics
//                       InputPowerWatts.Reading (the wall side, what a meter would see)
//   Power               legacy: PowerControl[].PowerConsumedWatts, one domain per entry
// Domains are "chassis/<Id>", or "chassis/<Id>/<MemberId or Name>" when the legacy Power
// resource has several PowerControl entries.
//
// Credentials come from load_bmc_credentials(options.credentials_file) and go to the BMC
// as HTTP Basic auth; they appear in no URL, message or describe() line. TLS is verified
// (peer and host name) against the system's CAs, or options.ca_file; plain http://
// endpoints are refused unless options.allow_http, since Basic auth would send the
// password in clear. Redirects are not followed, so the password goes nowhere else.

#include <memory>

#include "core/expected.h"
#include "probes/power/power_source.h"

namespace assay {

/// options.endpoint: https://HOST[:PORT] (no path). Errors: a malformed or http://
/// endpoint, missing credentials and HTTP 401 are bad_input; a BMC that cannot be
/// reached or verified, and one with no chassis reporting power, are environment Errors;
/// so is a build without libcurl.
Expected<std::unique_ptr<PowerSource>> open_redfish_source(const PowerSourceOptions& options);

}  // namespace assay
