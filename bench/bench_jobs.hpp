#pragma once
// Empty jobs for the store benchmarks (claim_bench, scrape_bench): what tests/daemon/store's
// make_job builds, written with JobStore::create_jobs in batches of 500.

#include <set>
#include <string>

#include "daemon/store/job_store.hpp"

namespace mw::bench {

/// `count` jobs of one task each (preset "H.264 HD 720p VBR", one output asset) on one input
/// asset with one primary AssetFile. Returns the tasks' Ids.
std::set<std::string> create_jobs(store::JobStore& jobs, int count);

}  // namespace mw::bench
