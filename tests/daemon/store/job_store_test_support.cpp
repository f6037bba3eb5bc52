#include "tests/daemon/store/job_store_test_support.hpp"

namespace mw::store::test {

NewJob make_job(const std::string& input_asset, const JobShape& shape) {
  NewJob out;
  out.job.id = runtime::new_id(runtime::kJobIdPrefix);
  out.job.name = "job of " + input_asset;
  out.job.priority = shape.priority;
  out.job.created = shape.created;
  out.job.last_modified = shape.created;
  out.job.input_asset_ids = {input_asset};
  for (int i = 0; i < shape.tasks; ++i) {
    runtime::Asset output = make_asset("output " + std::to_string(i));
    output.created = output.last_modified = shape.created;
    out.job.output_asset_ids.push_back(output.id);
    out.output_assets.push_back(output);

    runtime::Task task;
    task.id = runtime::new_id(runtime::kTaskIdPrefix);
    task.position = i;
    task.name = "task " + std::to_string(i);
    task.configuration = "H264 Multiple Bitrate 720p";
    task.media_processor_id = runtime::media_processors().front().id;
    task.task_body =
        "<taskBody><inputAsset>JobInputAsset(0)</inputAsset>"
        "<outputAsset>JobOutputAsset(" +
        std::to_string(i) + ")</outputAsset></taskBody>";
    task.options =
        static_cast<size_t>(i) < shape.options.size() ? shape.options[static_cast<size_t>(i)] : 0;
    task.input_asset_ids = {
        shape.chained && i > 0 ? out.output_assets[static_cast<size_t>(i - 1)].id : input_asset};
    task.output_asset_ids = {output.id};
    out.tasks.push_back(task);
  }
  return out;
}

runtime::Asset make_asset(const std::string& name) {
  runtime::Asset asset;
  asset.id = runtime::new_id(runtime::kAssetIdPrefix);
  asset.name = name;
  asset.created = asset.last_modified = kT0;
  return asset;
}

runtime::AssetFile make_file(const std::string& asset_id, const std::string& name,
                             bool is_primary) {
  runtime::AssetFile file;
  file.id = runtime::new_id(runtime::kAssetIdPrefix);
  file.name = name;
  file.parent_asset_id = asset_id;
  file.content_file_size = 1234;
  file.mime_type = "video/mp4";
  file.is_primary = is_primary;
  file.created = file.last_modified = kT0;
  return file;
}

void JobStoreTest::reopen() {
  store_.reset();
  store_ = GetParam().open(dir_.path());
}

std::string JobStoreTest::input_asset() {
  const runtime::Asset asset = make_asset("input");
  store().create_asset(asset);
  store().add_asset_file(make_file(asset.id, "input.mp4", true));
  return asset.id;
}

NewJob JobStoreTest::submit(const JobShape& shape) {
  NewJob job = make_job(input_asset(), shape);
  store().create_job(job);
  return job;
}

Claim JobStoreTest::claim(const std::string& worker, TimePoint now) {
  auto claimed = store().claim_task(worker, now, 30s);
  if (!claimed) {
    ADD_FAILURE() << "nothing to claim for " << worker;
    return {};
  }
  return *claimed;
}

Claim JobStoreTest::claim_and_start(const std::string& worker, TimePoint now) {
  Claim claimed = claim(worker, now);
  EXPECT_EQ(store().start_task(claimed, now), LeaseStatus::Held);
  return claimed;
}

runtime::Job JobStoreTest::job(const std::string& id) {
  auto found = store().find_job(id);
  if (!found) throw std::runtime_error("no job " + id);
  return *found;
}

runtime::Task JobStoreTest::task(const std::string& id) {
  auto found = store().find_task(id);
  if (!found) throw std::runtime_error("no task " + id);
  return *found;
}

std::vector<std::string> JobStoreTest::event_codes(const std::string& task_id) {
  std::vector<std::string> codes;
  for (const auto& event : task(task_id).historical_events) codes.push_back(event.code);
  return codes;
}

std::vector<std::string> JobStoreTest::file_names(const std::string& asset_id) {
  std::vector<std::string> names;
  for (const auto& file : store().asset_files(asset_id)) names.push_back(file.name);
  return names;
}

runtime::NotificationEndPoint make_endpoint(const std::string& name, TimePoint created) {
  runtime::NotificationEndPoint e;
  e.id = runtime::new_id(runtime::kNotificationEndPointIdPrefix);
  e.name = name;
  e.created = created;
  e.endpoint_address = "http://127.0.0.1:9/" + name;
  e.credential_type = runtime::kCredentialTypeSigningKey;
  e.signing_key = std::string(64, '\0');
  e.signing_key[1] = '\xff';
  return e;
}

namespace {
std::string describe(const NotificationEvent& e) {
  using Kind = NotificationEvent::Kind;
  if (e.kind == Kind::TaskProgress) return "Progress " + std::to_string(static_cast<int>(e.progress));
  return std::string(e.kind == Kind::JobStateChange ? "Job " : "Task ") +
         runtime::state_name(e.old_state) + "->" + runtime::state_name(e.new_state);
}
}  // namespace

NotificationStoreTest::Recorded NotificationStoreTest::expand() {
  Recorded r;
  store().expand_notifications(
      [&](const NotificationEvent& e, const std::vector<NotificationSubscriber>& subscribers) {
        r.events.push_back(describe(e));
        std::vector<std::string> names;
        std::vector<OutboxMessage> out;
        for (const auto& s : subscribers) {
          names.push_back(s.endpoint.name + (s.registered ? "" : "*"));
          out.push_back({s.endpoint.id, "etag-" + std::to_string(e.seq), describe(e), e.kind, false});
        }
        r.subscribers.push_back(names);
        return out;
      },
      1000);
  return r;
}

NewJob NotificationStoreTest::submit_subscribed(const runtime::NotificationEndPoint& e,
                                                runtime::NotificationTarget target,
                                                const JobShape& shape) {
  NewJob job = make_job(input_asset(), shape);
  job.job.notification_subscriptions = {{e.id, target, false}};
  job.tasks[0].notification_subscriptions = {{e.id, runtime::NotificationTarget::All, true}};
  store().create_job(job);
  return job;
}

}  // namespace mw::store::test
