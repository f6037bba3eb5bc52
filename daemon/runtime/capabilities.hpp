#pragma once
// Capability-aware claiming (docs/farm.md): what a task needs, computed from its preset at job
// creation, and what this worker can run, advertised in the worker table. A worker claims only
// the tasks it can run (JobStore::claim_task filters on them in SQL).

#include <string>
#include <vector>

#include "daemon/runtime/model.hpp"
#include "presets/preset.hpp"

namespace mw::runtime {

/// Every libavcodec encoder a preset may use: "libx264" (H264Video), "aac" (AACAudio), "mjpeg",
/// "png" and "bmp" (JpgImage, PngImage, BmpImage).
const std::vector<std::string>& preset_encoders();

/// What a task running `preset` needs: the longer and shorter side of its largest video layer
/// given in pixels (layers given in percent of the source, and content-adaptive ladders, are
/// known only once the input is read: they add no limit), the encoders its video, audio and
/// image sections use, and `tags` (Task.RequiredWorkerTags) sorted and de-duplicated.
/// A packaging task (no encoding) passes an empty preset: it needs only its tags.
TaskRequirements requirements_of(const presets::Preset* preset, std::vector<std::string> tags);

/// This worker's capabilities: the encoders of preset_encoders() that this process's libavcodec
/// has, worker.max_resolution (0x0: no limit) as longer/shorter side, and worker.tags.
WorkerCapabilities local_capabilities(int max_width, int max_height, std::vector<std::string> tags);

}  // namespace mw::runtime
