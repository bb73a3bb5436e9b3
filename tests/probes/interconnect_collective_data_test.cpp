// The collective definitions without MPI: each rank's data is filled as the probe
// fills it, the collective is done by hand here, and the definition's check must find
// nothing wrong, while a changed element or one left as poison is counted.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "probes/interconnect/collective_definition.h"

namespace assay {
namespace {

struct World {
  std::vector<std::vector<float>> send, receive;
};

// Fills every rank's buffers and performs `kind` as MPI would, into `receive`.
World run_by_hand(Collective kind, const CollectiveLayout& layout, int ranks, int root) {
  const CollectiveDefinition& def = collective_definition(kind);
  World w;
  w.send.assign(ranks, std::vector<float>(layout.send_elements));
  w.receive.assign(ranks, std::vector<float>(layout.receive_elements));
  for (int r = 0; r < ranks; ++r) def.fill(layout, r, ranks, root, w.send[r], w.receive[r]);
  const std::size_t m = layout.block_elements;
  for (int r = 0; r < ranks; ++r) {
    std::vector<float>& out = w.receive[r];
    switch (kind) {
      case Collective::allreduce:
        for (std::size_t i = 0; i < out.size(); ++i) {
          out[i] = 0;
          for (int s = 0; s < ranks; ++s) out[i] += w.send[s][i];
        }
        break;
      case Collective::reduce_scatter:
        for (std::size_t j = 0; j < m; ++j) {
          out[j] = 0;
          for (int s = 0; s < ranks; ++s) out[j] += w.send[s][r * m + j];
        }
        break;
      case Collective::allgather:
        for (int s = 0; s < ranks; ++s) {
          for (std::size_t j = 0; j < m; ++j) out[s * m + j] = w.send[s][j];
        }
        break;
      case Collective::alltoall:
        for (int s = 0; s < ranks; ++s) {
          for (std::size_t j = 0; j < m; ++j) out[s * m + j] = w.send[s][r * m + j];
        }
        break;
      case Collective::broadcast:
        break;
    }
  }
  if (kind == Collective::broadcast) {
    for (int r = 0; r < ranks; ++r) w.receive[r] = w.receive[root];
  }
  return w;
}

class CollectiveData : public ::testing::TestWithParam<Collective> {};

TEST_P(CollectiveData, ACorrectResultPassesEveryElement) {
  const Collective kind = GetParam();
  for (int ranks : {2, 3, 4, 7}) {
    for (std::int64_t bytes : {4, 8, 100, 4096, 40000}) {
      SCOPED_TRACE(std::string(collective_name(kind)) + " ranks " + std::to_string(ranks) + " bytes " +
                   std::to_string(bytes));
      const CollectiveLayout layout = collective_layout(kind, bytes, ranks);
      const World w = run_by_hand(kind, layout, ranks, 0);
      for (int r = 0; r < ranks; ++r) {
        const ElementCheck c = collective_definition(kind).check(layout, r, ranks, 0, w.receive[r]);
        EXPECT_EQ(c.bad, 0u) << "rank " << r << " element " << c.first_bad << " got " << c.got << " expected "
                             << c.expected;
        EXPECT_EQ(c.checked, layout.receive_elements);
      }
    }
  }
}

TEST_P(CollectiveData, AChangedElementOrLeftoverPoisonIsCounted) {
  const Collective kind = GetParam();
  const int ranks = 4;
  const CollectiveLayout layout = collective_layout(kind, 4096, ranks);
  World w = run_by_hand(kind, layout, ranks, 0);
  const CollectiveDefinition& def = collective_definition(kind);
  w.receive[1][5] += 1;
  w.receive[1][7] = poison_value();
  const ElementCheck c = def.check(layout, 1, ranks, 0, w.receive[1]);
  EXPECT_EQ(c.bad, 2u);
  EXPECT_EQ(c.first_bad, 5u);
  // A rank's block delivered to the wrong place (the first two blocks swapped).
  if (kind != Collective::allreduce && kind != Collective::broadcast && kind != Collective::reduce_scatter) {
    World swapped = run_by_hand(kind, layout, ranks, 0);
    std::vector<float>& out = swapped.receive[2];
    std::swap_ranges(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(layout.block_elements),
                     out.begin() + static_cast<std::ptrdiff_t>(layout.block_elements));
    EXPECT_EQ(def.check(layout, 2, ranks, 0, out).bad, 2 * layout.block_elements);
  }
}

TEST_P(CollectiveData, FillPoisonsWhatTheCollectiveMustWrite) {
  const Collective kind = GetParam();
  const CollectiveLayout layout = collective_layout(kind, 1024, 2);
  std::vector<float> send(layout.send_elements), receive(layout.receive_elements, 1.0f);
  collective_definition(kind).fill(layout, 1, 2, 0, send, receive);  // rank 1 is never the root
  for (float v : receive) ASSERT_TRUE(std::isnan(v));
  EXPECT_EQ(collective_definition(kind).check(layout, 1, 2, 0, receive).bad, receive.size());
}

INSTANTIATE_TEST_SUITE_P(All, CollectiveData,
                         ::testing::Values(Collective::allreduce, Collective::allgather, Collective::reduce_scatter,
                                           Collective::alltoall, Collective::broadcast),
                         [](const auto& test) { return std::string(collective_name(test.param)); });

TEST(ReductionTerms, SumsStayExactInFloatForAnyFleet) {
  for (int ranks : {2, 64, 541'200, 600'000, 16'777'216}) {
    const ReductionTerms terms(ranks);
    for (std::size_t i = 0; i < 40; ++i) {
      EXPECT_LE(terms.sum(i), 16'777'216.0f) << ranks;
      EXPECT_GE(terms.term(0, i), 1.0f);
    }
  }
  // Small fleets: neighbouring elements differ.
  const ReductionTerms terms(4);
  EXPECT_NE(terms.sum(0), terms.sum(1));
  EXPECT_NE(terms.term(0, 0), terms.term(1, 0));
}

TEST(MovedValue, IsAnExactSmallIntegerThatDiffersByPosition) {
  EXPECT_EQ(moved_value(0), 1.0f);
  EXPECT_EQ(moved_value(41), 42.0f);
  EXPECT_EQ(moved_value((1u << 23) - 1), 8388608.0f);
  EXPECT_NE(moved_value(1'000'000), moved_value(1'000'001));
}

}  // namespace
}  // namespace assay
