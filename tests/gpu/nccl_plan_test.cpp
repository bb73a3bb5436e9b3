// interconnect.nccl's host arithmetic (nccl_plan.h): collectives, the ranks of a job
// whose processes have different GPU counts, the sweep as bus_bandwidth.h lays it out,
// busbw, and the unique id as the floats the Communicator broadcasts.
#include "probes/gpu/nccl_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "probes/interconnect/bus_bandwidth.h"

namespace assay::gpu {
namespace {

using ::testing::HasSubstr;

TEST(NcclPlan, CollectiveNamesAndKeysAreTheMpiProbesOnes) {
  EXPECT_EQ(nccl_busbw_key(NcclCollective::all_reduce), "interconnect.nccl.allreduce.busbw");
  EXPECT_EQ(nccl_busbw_key(NcclCollective::all_gather), "interconnect.nccl.allgather.busbw");
  EXPECT_EQ(nccl_busbw_key(NcclCollective::reduce_scatter), "interconnect.nccl.reduce_scatter.busbw");
  EXPECT_EQ(nccl_busbw_key(NcclCollective::all_to_all), "interconnect.nccl.alltoall.busbw");
  for (NcclCollective c : kAllNcclCollectives) {
    EXPECT_EQ(nccl_collective_name(c), collective_name(to_collective(c)));
  }
}

TEST(NcclPlan, CollectivesParameter) {
  auto all = parse_nccl_collectives("interconnect.nccl", "all");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 4u);
  // Any order in, the fixed order out, duplicates once.
  auto some = parse_nccl_collectives("interconnect.nccl", "alltoall, allreduce,alltoall");
  ASSERT_TRUE(some.ok()) << some.error().message;
  EXPECT_EQ(*some, (std::vector<NcclCollective>{NcclCollective::all_reduce, NcclCollective::all_to_all}));
  for (const char* bad : {"", "all_reduce", "allreduce,broadcast", ",", "ALL"}) {
    auto parsed = parse_nccl_collectives("interconnect.nccl", bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().kind, ErrorKind::bad_input);
    EXPECT_THAT(parsed.error().message, HasSubstr("collectives="));
  }
}

TEST(NcclPlan, RanksFollowProcessesWithDifferentGpuCounts) {
  const std::vector<int> counts{8, 4, 1, 8};
  auto world = nccl_world(counts, 2);
  ASSERT_TRUE(world.ok()) << world.error().message;
  EXPECT_EQ(world->ranks, 21);
  EXPECT_EQ(world->first_rank, 12);
  EXPECT_EQ(world->local, 1);
  EXPECT_EQ(world->first_ranks, (std::vector<int>{0, 8, 12, 13}));
  auto last = nccl_world(counts, 3);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->first_rank, 13);
  EXPECT_EQ(last->first_rank + last->local, last->ranks);

  auto alone = nccl_world(std::vector<int>{1}, 0);
  ASSERT_TRUE(alone.ok());
  EXPECT_EQ(alone->ranks, 1);

  EXPECT_FALSE(nccl_world(std::vector<int>{8, 0}, 0).ok()) << "a process without GPUs cannot take part";
  EXPECT_FALSE(nccl_world(std::vector<int>{8, 8}, 2).ok());
  EXPECT_FALSE(nccl_world(std::vector<int>{8, 8}, -1).ok());
  EXPECT_FALSE(nccl_world(std::vector<int>{0x7fffffff, 1}, 0).ok()) << "more ranks than an int numbers";
}

TEST(NcclPlan, LayoutNamesEveryProcessAndItsRanks) {
  auto world = nccl_world(std::vector<int>{8, 1, 4}, 0);
  ASSERT_TRUE(world.ok());
  const std::vector<std::string> nodes{"gpu-001", "gpu-002"};
  EXPECT_EQ(nccl_layout_text(*world, nodes),
            "gpu-001: 8 GPUs as ranks 0-7; gpu-002: 1 GPU as rank 8; rank 2: 4 GPUs as ranks 9-12");
  std::vector<int> many(100, 2);
  auto big = nccl_world(many, 5);
  ASSERT_TRUE(big.ok());
  const std::string text = nccl_layout_text(*big, {}, 4);
  EXPECT_THAT(text, HasSubstr("rank 3: 2 GPUs as ranks 6-7; ... 95 more processes ...; rank 99: 2 GPUs as ranks "
                              "198-199"));
}

TEST(NcclPlan, SweepDoublesAndIsLaidOutAsBusBandwidthSays) {
  const auto sizes = nccl_sweep(NcclCollective::all_reduce, std::int64_t{1} << 20, std::int64_t{1} << 30, 16);
  ASSERT_EQ(sizes.size(), 11u);
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    EXPECT_EQ(sizes[i].size_bytes, (std::int64_t{1} << 20) << i);
    EXPECT_EQ(sizes[i].send_elements, sizes[i].receive_elements);
    EXPECT_EQ(sizes[i].block_elements, sizes[i].send_elements);
  }
  // Splitting collectives: collective_layout's block (count / n), rounded down to 16
  // bytes as nccl-tests does, so every block is aligned.
  for (NcclCollective c : {NcclCollective::all_gather, NcclCollective::reduce_scatter, NcclCollective::all_to_all}) {
    const auto split = nccl_sweep(c, 1000, 30000, 24);
    ASSERT_EQ(split.size(), 6u);  // 1000, 2000, 4000, 8000, 16000 and 30000 B requested
    for (const NcclSize& size : split) {
      EXPECT_EQ(size.block_elements % 4, 0u);
      EXPECT_EQ(size.size_bytes, static_cast<std::int64_t>(size.block_elements * 24 * 4));
      EXPECT_EQ(size.send_elements, c == NcclCollective::all_gather ? size.block_elements : size.block_elements * 24);
      EXPECT_EQ(size.receive_elements,
                c == NcclCollective::reduce_scatter ? size.block_elements : size.block_elements * 24);
    }
    // 30000 B: 7500 floats, 312 per rank (collective_layout), already a multiple of 4.
    EXPECT_EQ(split.back().block_elements, collective_layout(to_collective(c), 30000, 24).block_elements);
    EXPECT_EQ(split.back().size_bytes, 29952);
    // 8000 B: 2000 floats, 83 per rank, rounded down to 80; 1000 B: 10 per rank, to 8.
    EXPECT_EQ(split[3].block_elements, 80u);
    EXPECT_EQ(split.front().block_elements, 8u);
  }
  // Tiny sizes: at least 16 bytes per rank, and sizes that become equal are kept once.
  const auto tiny = nccl_sweep(NcclCollective::all_gather, 16, 64, 8);
  ASSERT_EQ(tiny.size(), 1u);
  EXPECT_EQ(tiny[0].block_elements, 4u);
  EXPECT_EQ(tiny[0].size_bytes, 128);
  const auto gather = nccl_sweep(NcclCollective::all_gather, 4096, 4096, 8);
  ASSERT_EQ(gather.size(), 1u);
  EXPECT_EQ(gather[0].send_elements, 128u);
  EXPECT_EQ(gather[0].receive_elements, 1024u);
  const auto scatter = nccl_sweep(NcclCollective::reduce_scatter, 4096, 4096, 8);
  EXPECT_EQ(scatter[0].send_elements, 1024u);
  EXPECT_EQ(scatter[0].receive_elements, 128u);
}

TEST(NcclPlan, BusBandwidthIsNcclTestsFormula) {
  // 8 GPUs, 1 GiB all-reduce in 5 ms: algbw 214.7 GB/s, busbw x 2*7/8.
  const std::int64_t size = std::int64_t{1} << 30;
  const double algbw = algorithm_bandwidth(size, 5e-3);
  EXPECT_DOUBLE_EQ(algbw, static_cast<double>(size) / 5e-3);
  EXPECT_DOUBLE_EQ(bus_bandwidth(to_collective(NcclCollective::all_reduce), 8, size, 5e-3), algbw * 14.0 / 8.0);
  for (NcclCollective c : {NcclCollective::all_gather, NcclCollective::reduce_scatter, NcclCollective::all_to_all}) {
    EXPECT_DOUBLE_EQ(bus_bandwidth(to_collective(c), 16, size, 5e-3), algbw * 15.0 / 16.0);
  }
}

TEST(NcclPlan, UniqueIdSurvivesTheFloatBroadcast) {
  NcclId id;
  for (int i = 0; i < 128; ++i) id.bytes.push_back(static_cast<char>(i * 37 + 200));  // every byte value class
  const std::vector<float> floats = encode_nccl_id(id);
  ASSERT_EQ(floats.size(), kEncodedNcclIdFloats);
  EXPECT_EQ(floats[0], 1.0f);
  auto back = decode_nccl_id(floats);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, id.bytes);

  NcclId failed;
  failed.error = "ncclGetUniqueId: no network interface";
  auto refused = decode_nccl_id(encode_nccl_id(failed));
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message, HasSubstr("rank 0 could not make the NCCL unique id"));

  std::vector<float> damaged = floats;
  damaged[5] = 256.0f;
  EXPECT_FALSE(decode_nccl_id(damaged).ok());
  damaged[5] = 1.5f;
  EXPECT_FALSE(decode_nccl_id(damaged).ok());
  EXPECT_FALSE(decode_nccl_id(std::vector<float>(10, 1.0f)).ok());
}

}  // namespace
}  // namespace assay::gpu
