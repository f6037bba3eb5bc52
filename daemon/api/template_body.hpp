#pragma once
// The body of POST /api/JobTemplates (REFDOC jobtemplate.md "Create a JobTemplate";
// AMS-V2-REFERENCE.md §3): a JobTemplate with its TaskTemplates inline, in JSON verbose or light,
// read property by property like the other request bodies (request_body.hpp): every problem is
// an ApiError 400 naming the property, e.g. "TaskTemplates[0].Configuration: expected an
// Edm.String, got a number". The rules between properties (the JobTemplateBody naming the
// TaskTemplates, the presets, ...) are JobService::create_job_template's.

#include "daemon/api/odata.hpp"
#include "daemon/runtime/job_service.hpp"

namespace mw::api {

/// {"Name", "TemplateType", "JobTemplateBody", "NumberofInputAssets", "TaskTemplates":[{"Id",
/// "Name", "Description", "Configuration", "MediaProcessorId", "NumberofInputAssets",
/// "NumberofOutputAssets", "Options"}]}. TemplateType, NumberofInputAssets and
/// NumberofOutputAssets may be JSON strings of digits, as REFDOC's sample sends TemplateType
/// ("1"); a missing TemplateType is AccountLevel 1. TaskTemplates is an array, or the verbose
/// {"results":[...]} form. Id, Created and LastModified of the JobTemplate (set by the service)
/// are ignored; a TaskTemplate's Id is the client's.
/// @throws ApiError 400 naming the property (unknown properties, wrong types, names longer than
///         4000 characters, encryption properties, which this service does not support)
runtime::JobTemplateRequest parse_job_template_request(const Json& body);

}  // namespace mw::api
