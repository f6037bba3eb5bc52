#pragma once
// The AMS v2 job model (AMS-V2-REFERENCE.md §0-§5): Job, Task, Asset, AssetFile, MediaProcessor,
// with the AMS property names, Id formats and enums. Plain structs; the store persists them and
// the API serialises them.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mw::runtime {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

/// Job and Task State (AMS JobState; tasks use the same values, AMS-V2-REFERENCE.md §1).
enum class State : int {
  Queued = 0,
  Scheduled = 1,
  Processing = 2,
  Finished = 3,
  Error = 4,
  Canceled = 5,
  Canceling = 6,
};
/// "Queued", "Scheduled", ... (the names notifications carry).
const char* state_name(State state);
/// Finished, Error and Canceled (NETSDK's final states).
bool is_final(State state);

/// TaskOptions flags (NETSDK TaskOptions.cs).
enum TaskOptions : int {
  kTaskOptionsNone = 0,
  kProtectedConfiguration = 1,
  kDoNotDeleteOutputAssetOnFailure = 2,
  kDoNotCancelOnJobFailure = 4,
};

/// AMS ErrorDetail (Code, Message).
struct ErrorDetail {
  std::string code;  ///< e.g. "ErrorExecutingTaskMalformedContent"
  std::string message;
};

/// AMS TaskHistoricalEvent (Code, Message, TimeStamp).
struct HistoricalEvent {
  std::string code;  ///< "Queued", "Scheduled", "Processing", "Finished", "Error", "Canceled", ...
  std::string message;
  TimePoint timestamp;
};

/// Id prefixes (AMS-V2-REFERENCE.md §0): every Id is "nb:<kind>:UUID:<guid>".
inline constexpr std::string_view kAssetIdPrefix = "nb:cid:UUID:";      ///< Asset and AssetFile
inline constexpr std::string_view kJobIdPrefix = "nb:jid:UUID:";
inline constexpr std::string_view kTaskIdPrefix = "nb:tid:UUID:";
inline constexpr std::string_view kProcessorIdPrefix = "nb:mpid:UUID:";
inline constexpr std::string_view kNotificationEndPointIdPrefix = "nb:nepid:UUID:";
inline constexpr std::string_view kJobTemplateIdPrefix = "nb:jtid:UUID:";
inline constexpr std::string_view kTaskTemplateIdPrefix = "nb:ttid:UUID:";  ///< client-supplied

/// ISO 8601 UTC with milliseconds: "2024-05-01T12:00:00.123Z" (sub-millisecond time dropped).
std::string iso8601(TimePoint t);
/// iso8601 of a time in milliseconds since the epoch, for the years 0001 to 9999 that an
/// Edm.DateTime holds ("0001-01-01T00:00:00.000Z"), beyond what a TimePoint can hold.
std::string iso8601(std::chrono::sys_time<std::chrono::milliseconds> t);

/// A new random (v4) UUID, lower case, e.g. "7dc2642f-ab1e-4f4c-8ecd-027eeac2a4ab".
std::string new_guid();
/// prefix + new_guid().
std::string new_id(std::string_view prefix);
/// The GUID part of an Id ("nb:cid:UUID:abc" -> "abc"); the input itself when it has no prefix.
std::string guid_of(std::string_view id);

/// AMS Asset.
struct Asset {
  std::string id;               ///< nb:cid:UUID:...
  std::string name;
  int state = 0;                ///< Initialized 0, Published 1, Deleted 2
  int options = 0;              ///< AssetCreationOptions: None 0, StorageEncrypted 1, ...
  int format_option = 0;        ///< None 0, AdaptiveStreaming 1
  std::string alternate_id;
  std::string storage_account_name;
  TimePoint created{};
  TimePoint last_modified{};
};

/// AMS AssetFile (entity set "Files").
struct AssetFile {
  std::string id;               ///< nb:cid:UUID:... (the same prefix as Asset)
  std::string name;             ///< file name inside the asset's folder
  std::string parent_asset_id;
  int64_t content_file_size = 0;  ///< bytes
  std::string mime_type;
  bool is_primary = false;
  TimePoint created{};
  TimePoint last_modified{};
};

/// TargetJobState of a JobNotificationSubscription and TargetTaskState of a
/// TaskNotificationSubscription (NETSDK NotificationJobState; AMS-V2-REFERENCE.md §6). None 0 is
/// rejected at creation.
enum class NotificationTarget : int {
  None = 0,
  FinalStatesOnly = 1,  ///< Finished, Error and Canceled only
  All = 2,              ///< every state change
};

/// AMS JobNotificationSubscription / TaskNotificationSubscription (a complex type on the Job or
/// Task; fixed after creation).
struct NotificationSubscription {
  std::string notification_endpoint_id;  ///< nb:nepid:UUID:...
  NotificationTarget target_state = NotificationTarget::All;
  bool include_task_progress = false;    ///< tasks only: adds TaskProgress messages
};

/// NotificationEndPoint EndPointType (NETSDK NotificationEndPointType). Only WebHook 3 exists
/// on-premises; AzureQueue 1 is refused at creation.
inline constexpr int kEndPointTypeAzureQueue = 1;
inline constexpr int kEndPointTypeWebHook = 3;
/// NotificationEndPoint CredentialType: None 0, SigningKey 1 (webhook HMAC signing).
inline constexpr int kCredentialTypeNone = 0;
inline constexpr int kCredentialTypeSigningKey = 1;

/// AMS NotificationEndPoint (entity set "NotificationEndPoints", AMS-V2-REFERENCE.md §6).
struct NotificationEndPoint {
  std::string id;                 ///< nb:nepid:UUID:...
  std::string name;
  TimePoint created{};
  int endpoint_type = kEndPointTypeWebHook;
  std::string endpoint_address;   ///< the webhook's http:// or https:// URL
  int credential_type = kCredentialTypeNone;
  std::string signing_key;        ///< raw key bytes (64 when set); never serialised
};

/// What a task needs of the worker that runs it (a mediaworker extension for farms; docs/farm.md
/// "Capability-aware claiming"), fixed at job creation from the task's preset and its
/// RequiredWorkerTags. Empty: any worker can run it.
struct TaskRequirements {
  int long_edge = 0;   ///< pixels: the longer side of its largest fixed-size video layer (0: none known)
  int short_edge = 0;  ///< pixels: the shorter side of that layer
  std::vector<std::string> encoders;  ///< libavcodec encoder names it uses, e.g. "libx264", "aac", "mjpeg"
  std::vector<std::string> tags;      ///< worker.tags a worker must all have (Task.RequiredWorkerTags)
  bool operator==(const TaskRequirements&) const = default;
};

/// What a worker can run, as it advertises it in the worker table.
struct WorkerCapabilities {
  int max_long_edge = 0;   ///< pixels (worker.max_resolution's longer side); 0: no limit
  int max_short_edge = 0;  ///< pixels (its shorter side); 0: no limit
  std::vector<std::string> encoders;  ///< encoders its libavcodec has (of those presets use)
  std::vector<std::string> tags;      ///< worker.tags
  bool operator==(const WorkerCapabilities&) const = default;
};

/// Why a worker with `capabilities` cannot run a task that needs `requirements`, e.g.
/// "3840x2160 is above its worker.max_resolution 1920x1080; it lacks tag 'gpu'", or "" when
/// it can.
std::string cannot_run(const WorkerCapabilities& capabilities, const TaskRequirements& requirements);

/// A worker process of the farm (GET /api/Workers, a mediaworker extension): one row per
/// `serve` process with worker slots, kept fresh by its heartbeat.
struct Worker {
  std::string id;       ///< "<host id>:<pid>", the lease owner of the tasks it claims
  std::string host_id;  ///< worker.host_id (default: the host name)
  int pid = 0;
  std::string version;  ///< mediaworker version
  int slots = 0;        ///< tasks it runs at once
  int lease_seconds = 0;  ///< its worker.lease_seconds: alive while its last heartbeat is younger
  WorkerCapabilities capabilities;
  TimePoint started{};
  TimePoint last_heartbeat{};
  std::vector<std::string> running_task_ids;  ///< tasks it holds a lease on
};

/// AMS Task.
struct Task {
  std::string id;               ///< nb:tid:UUID:...
  std::string job_id;
  int position = 0;             ///< order within the job (0-based)
  std::string name;
  std::string configuration;    ///< preset name or inline preset text
  std::string media_processor_id;
  std::string task_body;        ///< TaskBody XML as received
  int options = 0;              ///< TaskOptions flags
  int priority = 0;
  State state = State::Queued;
  double progress = 0;          ///< 0-100
  std::optional<TimePoint> start_time, end_time;
  double running_duration_s = 0;  ///< seconds (the Job page's unit)
  std::string perf_message;
  std::vector<ErrorDetail> error_details;
  std::vector<HistoricalEvent> historical_events;
  std::vector<std::string> input_asset_ids;   ///< resolved from TaskBody, in order
  std::vector<std::string> output_asset_ids;  ///< resolved from TaskBody, in order
  int attempts = 0;             ///< times a worker claimed it
  TaskRequirements requirements;  ///< what its worker must be able to run (extension)
  std::vector<NotificationSubscription> notification_subscriptions;  ///< TaskNotificationSubscriptions
};

/// AMS Job.
struct Job {
  std::string id;               ///< nb:jid:UUID:...
  std::string name;
  int priority = 0;             ///< higher runs first
  State state = State::Queued;
  TimePoint created{};
  TimePoint last_modified{};
  std::optional<TimePoint> start_time, end_time;
  double running_duration_s = 0;  ///< seconds
  std::string template_id;
  std::vector<std::string> input_asset_ids;   ///< InputMediaAssets, in the order given
  std::vector<std::string> output_asset_ids;  ///< OutputMediaAssets (created with the job)
  std::vector<NotificationSubscription> notification_subscriptions;  ///< JobNotificationSubscriptions
};

/// JobTemplate TemplateType (REFDOC jobtemplate.md): SystemLevel 0 is reserved for the service;
/// clients must create AccountLevel 1 templates.
inline constexpr int kTemplateTypeSystemLevel = 0;
inline constexpr int kTemplateTypeAccountLevel = 1;

/// AMS TaskTemplate (entity set "TaskTemplates", AMS-V2-REFERENCE.md §3): a task's settings,
/// created only inline with its JobTemplate. Encryption properties are not kept (none supported).
struct TaskTemplate {
  std::string id;               ///< nb:ttid:UUID:... (client-supplied, or generated when absent)
  std::string job_template_id;  ///< the JobTemplate it belongs to
  int position = 0;             ///< order in the JobTemplate's TaskTemplates (0-based)
  std::string name;
  std::string description;
  std::string configuration;    ///< preset name or inline preset text, as Task.Configuration
  std::string media_processor_id;
  int number_of_input_assets = 0;   ///< NumberofInputAssets: <inputAsset>s of its taskBody
  int number_of_output_assets = 0;  ///< NumberofOutputAssets: <outputAsset>s of its taskBody
  int options = 0;              ///< TaskOptions flags
  TimePoint created{};
  TimePoint last_modified{};
};

/// AMS JobTemplate (entity set "JobTemplates", AMS-V2-REFERENCE.md §2 "JobTemplate variant",
/// §3): reusable tasks for POST /api/Jobs {"TemplateId", "InputMediaAssets"}. Cannot be updated.
struct JobTemplate {
  std::string id;               ///< nb:jtid:UUID:...
  std::string name;
  TimePoint created{};
  TimePoint last_modified{};
  /// JobTemplateBody: <jobTemplate><taskBody taskTemplateId="nb:ttid:UUID:...">(TaskBody
  /// content)</taskBody>...</jobTemplate>, one taskBody per TaskTemplate, in task order.
  std::string job_template_body;
  int number_of_input_assets = 1;  ///< NumberofInputAssets: the InputMediaAssets a job gives
  int template_type = kTemplateTypeAccountLevel;
  std::vector<std::string> task_template_ids;  ///< its TaskTemplates, in order
};

/// AMS MediaProcessor.
struct MediaProcessor {
  std::string id, name, description, sku, vendor, version;
};

/// The processors this service runs (all backed by the encoding engine): Media Encoder Standard,
/// Windows Azure Media Encoder, the 2012-era encoder of the Job page's create request, and the
/// Windows Azure Media Packager (packager_configuration.hpp).
const std::vector<MediaProcessor>& media_processors();
/// The processor with this Id (case-insensitive), or nullptr.
const MediaProcessor* find_media_processor(std::string_view id);

}  // namespace mw::runtime
