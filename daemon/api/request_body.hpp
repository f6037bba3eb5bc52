#pragma once
// Request bodies: the JSON (verbose or light) an AMS v2 client POSTs or MERGEs, checked property
// by property. Every problem throws ApiError 400 whose message names the property, e.g.
// "Tasks[0].TaskBody: expected an Edm.String, got a number". Unknown properties get the AMS text
// "Parsing request content failed due to: Make sure to only use property names that are defined
// by the type" plus the property's name. Read-only properties clients echo back (Id, State,
// Created, ...) and "__metadata"/"odata.*" annotations are accepted and ignored.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/api/odata.hpp"
#include "daemon/runtime/job_service.hpp"
#include "daemon/runtime/model.hpp"

namespace mw::api {

/// Parses a request body as one JSON object (nesting at most 64 deep).
/// @throws ApiError 400 "Parsing request content failed due to: <parser's reason>"
Json parse_json_object(std::string_view body);

/// POST /api/Jobs: the Job page's "Create a Job" body (InputMediaAssets as
/// [{"__metadata":{"uri":".../Assets('id')"}}], Tasks inline) or the JSON light form
/// ("InputMediaAssets@odata.bind":[".../Assets('id')"]). Asset links may use any host.
/// With "TemplateId" (a JobTemplate's Id) the tasks come from the template (JobService).
/// @throws ApiError 400 naming the property (also for JobNotificationSubscriptions,
///         TaskNotificationSubscriptions and encrypted configurations, which this service does
///         not support)
runtime::JobRequest parse_job_request(const Json& body);

/// One Task, by the rules of the elements of a Job's Tasks: what a $batch changeset POSTs to
/// "$<Content-ID>/Tasks" for the job its Content-ID created. `field` names the task in messages
/// ("Tasks[1]" -> "Tasks[1].TaskBody: expected an Edm.String, got a number").
/// @throws ApiError 400 naming the property
runtime::TaskRequest parse_task_request(const Json& body, const std::string& field);

/// MERGE /api/Jobs('id'): the new Priority. AMS allows only Priority to change.
/// @throws ApiError 400 for any other Job property ("... is write-once") or a bad value
std::optional<int> parse_job_update(const Json& body);

/// POST /api/Assets {"Name":..., "Options":0, "AlternateId", "StorageAccountName",
/// "FormatOption"}: a new Asset with a fresh Id, Created = LastModified = now.
/// @throws ApiError 400 (Options other than None 0: storage encryption is not supported;
///         FormatOption other than 0/1)
runtime::Asset parse_asset_create(const Json& body, runtime::TimePoint now);

/// POST /api/Files {"Name","ParentAssetId","IsPrimary","MimeType"}: a new AssetFile with a
/// fresh nb:cid Id, ContentFileSize 0 (set by the upload).
/// @throws ApiError 400 (Name missing or not a valid file name, ParentAssetId missing,
///         encryption properties set)
runtime::AssetFile parse_asset_file_create(const Json& body, runtime::TimePoint now);

/// POST /api/NotificationEndPoints {"Name", "EndPointType":3, "EndPointAddress":"https://...",
/// "CredentialType":0|1, "SigningKey" (or AMS's "EncryptedEndPointCredential"): the base64 of a
/// 64-byte key, stored as given: there are no protection keys on-premises}: a new endpoint with
/// a fresh nb:nepid Id, Created = now (AMS-V2-REFERENCE.md §6).
/// @throws ApiError 400 naming the property: Name or EndPointAddress missing, EndPointType
///         AzureQueue 1 (no Azure queues on-premises) or anything but WebHook 3, an address that
///         is not an http(s) URL, a key that is not base64 of 64 bytes, a key without
///         CredentialType 1 or CredentialType 1 without a key
runtime::NotificationEndPoint parse_notification_endpoint_create(const Json& body,
                                                                 runtime::TimePoint now);

/// MERGE /api/NotificationEndPoints('id'): the new Name (the only property that may change).
/// @throws ApiError 400 for any other property or an empty Name
std::string parse_notification_endpoint_update(const Json& body);

}  // namespace mw::api
