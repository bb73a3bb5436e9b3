#pragma once
// The work of storage.meta on one node, mdtest-like: each thread owns a subtree
// (t<thread>/d<k>/f<i>, at most files_per_dir files per directory) and creates, stats
// and deletes its empty files in three phases, each ended early by the stonewall.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace assay {

enum class MetaPhase { create, stat, remove };
std::string_view meta_phase_name(MetaPhase phase);  ///< "create" | "stat" | "delete"

struct MetaLayout {
  std::string root;  ///< the probe's own directory
  int threads = 1;
  std::int64_t files_per_thread = 0;
  std::int64_t files_per_dir = 1000;

  std::string thread_dir(int thread) const;
  std::string dir_of(int thread, std::int64_t file) const;
  std::string file_path(int thread, std::int64_t file) const;
  std::int64_t dirs_per_thread() const { return (files_per_thread + files_per_dir - 1) / files_per_dir; }
};

/// Creates every thread's directories (untimed, before the phases); an error message
/// naming the directory, "interrupted" when `cancel` was set, or "".
std::string make_meta_tree(const MetaLayout& layout, const std::atomic<bool>* cancel = nullptr);

struct MetaThreadWork {
  std::int64_t done = 0;  ///< operations completed (create: files made; stat/delete: files handled)
  std::chrono::steady_clock::time_point end{};
  bool stonewalled = false;
  bool interrupted = false;
  std::string error;  ///< names the file, the call and errno's text
};

/// One thread's share of a phase. `count` is how many of its files the phase covers
/// (create: all; stat and delete: those the create phase made). A stat checks that
/// the file is a regular file of size 0.
MetaThreadWork run_meta_thread(const MetaLayout& layout, int thread, MetaPhase phase, std::int64_t count,
                               std::chrono::steady_clock::time_point stonewall, const std::atomic<bool>* cancel);

/// Counts the entries of every directory of `thread` and compares them with what
/// `present` files (the first `present` of the thread) imply; "" or what differs.
std::string check_meta_tree(const MetaLayout& layout, int thread, std::int64_t present);

}  // namespace assay
