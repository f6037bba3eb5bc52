#pragma once
// Decodes one media type of a plan's input again, outside the encode pipeline (the loudness
// measuring pass, the quality report): the pipeline's own SourceStage (same seek, same re-timing
// to output time, packets of other streams skipped undecoded) on its own thread, its frames
// handed to the caller's thread through a bounded queue.

#include <functional>
#include <stop_token>

#include "encoders/av/ptr.hpp"
#include "encoders/filter_graph.hpp"
#include "encoders/plan.hpp"

namespace mw::encoders {

/// Decodes the plan's video (AVMEDIA_TYPE_VIDEO) or audio stream of plan.input_path.
/// The input's declared span is not re-checked (the encode judged it); a stream that yields no
/// frame at all is still an error.
/// @param on_input called once, before any frame, with what the decoder's frames look like
/// @param on_frame called with every decoded frame, in decode order (pts in output time)
/// @throws EncodeError: the source stage's errors (InputUnreadable, MalformedContent,
///         UnsupportedFormat), Canceled when `stop` is requested, and whatever the callbacks throw
void decode_source(const EncodePlan& plan, AVMediaType type,
                   const std::function<void(const FilterInput&)>& on_input,
                   const std::function<void(av::FramePtr)>& on_frame, std::stop_token stop);

}  // namespace mw::encoders
