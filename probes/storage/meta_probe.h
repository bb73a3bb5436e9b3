#pragma once
// storage.meta: create, stat and delete of empty files in a directory tree, mdtest
// style, every phase checked (directory listings after create and delete, every stat's
// answer). Across nodes, phases start together and end at a stonewall, with aggregate
// rates. See docs/probes/storage.md.

#include <memory>

#include "probes/probe.h"

namespace assay {

std::unique_ptr<Probe> make_storage_meta_probe();

}  // namespace assay
