#include "suites/run_summary.h"

#include <iterator>
#include <set>

#include "core/build_info.h"
#include "suites/fleet_judgement.h"
#include "suites/link_matrix.h"
#include "suites/rated.h"
#include "suites/verdicts.h"

namespace assay {

Summary summarize_run(const Plan& plan, const Catalog& catalog, const std::vector<ProbeResult>& results,
                      std::vector<NodeStatus> nodes, std::string started, std::string finished,
                      std::vector<std::string> warnings) {
  Summary s;
  s.plan_name = plan.system.name;
  s.plan_file = plan.file;
  s.suite = plan.suite;
  s.assay = build_info();
  s.started = std::move(started);
  s.finished = std::move(finished);
  s.nodes = std::move(nodes);
  std::set<std::string> seen;
  for (const auto& n : s.nodes) seen.insert(n.name);
  for (const auto& r : results) {
    if (seen.insert(r.node).second) s.nodes.push_back({r.node, "ok"});
  }
  s.results = results;
  const RatedTable rated = RatedTable::resolve(plan, catalog);
  s.verdicts = judge(plan, rated, s.results);
  s.rated = rated_for_summary(rated, s.verdicts);
  FleetJudgement fleet = judge_fleet(plan, s.results);
  s.fleet = std::move(fleet.stats);
  s.verdicts.insert(s.verdicts.end(), std::make_move_iterator(fleet.verdicts.begin()),
                    std::make_move_iterator(fleet.verdicts.end()));
  s.links = build_link_matrix(s.nodes, s.results);
  s.context.warnings = std::move(warnings);
  s.accepted = is_accepted(s.verdicts);
  return s;
}

}  // namespace assay
