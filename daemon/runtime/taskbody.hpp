#pragma once
// TaskBody XML (AMS-V2-REFERENCE.md §2): <taskBody> with <inputAsset> and <outputAsset>
// elements whose text is JobInputAsset(N) or JobOutputAsset(N). Parsed with pugixml.

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mw::runtime {

/// One <inputAsset> or <outputAsset> element.
struct TaskBodyAsset {
  enum class Ref { JobInputAsset, JobOutputAsset };
  Ref ref = Ref::JobInputAsset;  ///< what the text names
  int index = 0;                 ///< N of JobInputAsset(N) / JobOutputAsset(N), 0-based
  // <outputAsset> attributes (camelCase or PascalCase):
  std::string asset_name;        ///< assetName; "" when absent
  int asset_creation_options = 0;  ///< assetCreationOptions (None 0 ... EnvelopeEncryptionProtected 4)
  int asset_format_option = 0;     ///< assetFormatOption (None 0, AdaptiveStreaming 1)
  std::string storage_account_name;
};

struct TaskBody {
  std::vector<TaskBodyAsset> inputs;   ///< in document order
  std::vector<TaskBodyAsset> outputs;  ///< in document order
};

/// A TaskBody that cannot be used; the message names the element (e.g. "<outputAsset> 2: ...").
class TaskBodyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Parses TaskBody XML. The text is UTF-8 (as it arrives in JSON or Atom) even when its
/// declaration says utf-16, as the AMS Job page's $batch request does.
/// @throws TaskBodyError: not well-formed XML (with pugixml's reason and offset), a root other
///         than <taskBody>, an unknown element or attribute, a text other than
///         JobInputAsset(N)/JobOutputAsset(N), an <outputAsset> naming JobInputAsset, no
///         input or no output
TaskBody parse_task_body(std::string_view xml);

}  // namespace mw::runtime
