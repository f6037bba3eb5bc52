#include "bench/bench_jobs.hpp"

#include <vector>

#include "daemon/runtime/model.hpp"

namespace mw::bench {

namespace {
runtime::Asset make_asset(const std::string& name, runtime::TimePoint now) {
  runtime::Asset asset;
  asset.id = runtime::new_id(runtime::kAssetIdPrefix);
  asset.name = name;
  asset.created = asset.last_modified = now;
  return asset;
}

}  // namespace

std::set<std::string> create_jobs(store::JobStore& jobs, int count) {
  const auto now = runtime::Clock::now();
  const runtime::Asset input = make_asset("bench input", now);
  jobs.create_asset(input);
  runtime::AssetFile file;
  file.id = runtime::new_id(runtime::kAssetIdPrefix);
  file.name = "input.mp4";
  file.parent_asset_id = input.id;
  file.content_file_size = 1;
  file.mime_type = "video/mp4";
  file.is_primary = true;
  file.created = file.last_modified = now;
  jobs.add_asset_file(file);

  std::set<std::string> task_ids;
  std::vector<store::NewJob> batch;
  for (int i = 0; i < count; ++i) {
    store::NewJob job;
    job.job.id = runtime::new_id(runtime::kJobIdPrefix);
    job.job.name = "bench " + std::to_string(i);
    job.job.created = job.job.last_modified = now;
    job.job.input_asset_ids = {input.id};
    runtime::Asset output = make_asset("bench output " + std::to_string(i), now);
    job.job.output_asset_ids = {output.id};
    job.output_assets = {output};
    runtime::Task task;
    task.id = runtime::new_id(runtime::kTaskIdPrefix);
    task.name = "empty";
    task.configuration = "H.264 HD 720p VBR";
    task.media_processor_id = runtime::media_processors().front().id;
    task.task_body =
        "<taskBody><inputAsset>JobInputAsset(0)</inputAsset>"
        "<outputAsset>JobOutputAsset(0)</outputAsset></taskBody>";
    task.input_asset_ids = {input.id};
    task.output_asset_ids = {output.id};
    job.tasks = {task};
    task_ids.insert(task.id);
    batch.push_back(std::move(job));
    if (batch.size() == 500 || i + 1 == count) {
      jobs.create_jobs(batch);
      batch.clear();
    }
  }
  return task_ids;
}

}  // namespace mw::bench
