// Streaming outputs over the REST API (issue 5), end to end on the real binary and real clips:
// the Job page's "H264 Smooth Streaming 720p" job, and the "Windows Azure Media Packager"
// processor packaging an earlier task's GOP-aligned MP4 set (chained in TaskBody) into Smooth
// Streaming, HLS and DASH, or failing with the reason when the set is not GOP-aligned. Waits are
// on the daemon's log lines, never on sleeps; encodes are a few seconds of media.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <set>
#include <sstream>

#include "tests/support/daemon.hpp"
#include "tests/support/packager_samples.hpp"

namespace mw::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kMedia = MW_MEDIA_DIR;
constexpr const char* kClip =
    "screen-720p30-h264-aac-rotate180.mp4";  // 1280x720 29.97 fps, AAC stereo
constexpr const char* kWame = "nb:mpid:UUID:70bdc2c3-ebf4-42a9-8542-5afc1e55d217";
constexpr const char* kMes = "nb:mpid:UUID:ff4df607-d419-42f0-bc17-a481b1331e56";
constexpr const char* kPackager = "nb:mpid:UUID:a2f9afe9-7146-4882-a5f7-da4a85e06a93";

// The AMS task definitions of samples/packager: MP4ToSmooth as AMS v2 users sent it, and
// SmoothToHLS as a user set it: 500 kbps at most, 2 s segments, the default (empty) manifest name.
const std::string kMp4ToSmooth = mp4_to_smooth();
const std::string kSmoothToHls = smooth_to_hls({{"maxbitrate", "500000"}, {"segment", "2"}});

std::string task_body(const std::string& input, int output, const std::string& attributes = "") {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?><taskBody><inputAsset>" + input +
         "</inputAsset><outputAsset" + attributes + ">JobOutputAsset(" + std::to_string(output) +
         ")</outputAsset></taskBody>";
}

json job_body(const std::string& name, const std::string& asset_id, const json& tasks) {
  return {{"Name", name},
          {"InputMediaAssets",
           {{{"__metadata",
              {{"uri", "https://myaccount.restv2.westus.media.azure.net/api/Assets('" +
                           url_encode(asset_id) + "')"}}}}}},
          {"Tasks", tasks}};
}

json task(const std::string& configuration, const std::string& processor, const std::string& body) {
  return {{"Configuration", configuration}, {"MediaProcessorId", processor}, {"TaskBody", body}};
}

// An MP4 set of two GOP-aligned layers (2 s fixed keyframe interval) of the clip's first 3 s,
// as an inline MES preset (Sources trims the input: the encode stays short).
json mp4_set_preset() {
  return {{"Version", 1.0},
          {"Sources", {{{"Duration", "00:00:03"}}}},
          {"Codecs",
           {{{"Type", "H264Video"},
             {"KeyFrameInterval", "00:00:02"},
             {"Complexity", "Speed"},
             {"H264Layers",
              {{{"Type", "H264Layer"}, {"Width", 640}, {"Height", 360}, {"Bitrate", 800}},
               {{"Type", "H264Layer"}, {"Width", 320}, {"Height", 180}, {"Bitrate", 300}}}}},
            {{"Type", "AACAudio"}, {"Bitrate", 96}}}},
          {"Outputs",
           {{{"FileName", "{Basename}_{Width}x{Height}_{VideoBitrate}{Extension}"},
             {"Format", {{"Type", "MP4Format"}}}}}}};
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The files a manifest points at: .ism <audio|video src>; .m3u8 URI lines and the URI="..." of
// its tags (EXT-X-MAP, EXT-X-MEDIA);
// .mpd SegmentTemplate initialization and media with $RepresentationID$ and $Number%05d$
// expanded over its SegmentTimeline.
std::vector<std::string> manifest_references(const std::string& name, const std::string& text) {
  std::vector<std::string> refs;
  const std::string ext = fs::path(name).extension().string();
  if (ext == ".m3u8") {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      if (line[0] != '#') {
        refs.push_back(line);
      } else if (const auto uri = line.find("URI=\"");
                 uri != std::string::npos) {  // EXT-X-MAP, EXT-X-MEDIA
        refs.push_back(line.substr(uri + 5, line.find('"', uri + 5) - uri - 5));
      }
    }
    return refs;
  }
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_string(text.c_str())) << name;
  if (ext == ".ism") {
    for (const auto& n : doc.select_nodes("//*[@src]"))
      refs.push_back(n.node().attribute("src").value());
    return refs;
  }
  if (ext == ".mpd") {
    for (const auto& r : doc.select_nodes("//Representation")) {
      const pugi::xml_node rep = r.node();
      pugi::xml_node tmpl = rep.child("SegmentTemplate");
      if (!tmpl) tmpl = rep.parent().child("SegmentTemplate");
      auto expand = [&](std::string s, int number) {
        const std::string id = rep.attribute("id").value();
        for (size_t p; (p = s.find("$RepresentationID$")) != std::string::npos;)
          s.replace(p, 18, id);
        char digits[16];
        std::snprintf(digits, sizeof digits, "%05d", number);
        for (size_t p; (p = s.find("$Number%05d$")) != std::string::npos;) s.replace(p, 12, digits);
        return s;
      };
      refs.push_back(expand(tmpl.attribute("initialization").value(), 0));
      int segments = 0;
      for (const auto& seg : tmpl.child("SegmentTimeline").children("S"))
        segments += 1 + seg.attribute("r").as_int();
      EXPECT_GT(segments, 0) << "no SegmentTimeline in " << name;
      const int start = tmpl.attribute("startNumber") ? tmpl.attribute("startNumber").as_int() : 1;
      for (int k = 0; k < segments; ++k)
        refs.push_back(expand(tmpl.attribute("media").value(), start + k));
    }
  }
  return refs;
}

class ServePackage : public ::testing::Test {
 protected:
  void SetUp() override { daemon_.start(); }

  json get(const std::string& target) {
    const HttpResponse r = daemon_.request("GET", target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return json::parse(r.body);
  }
  std::string create_job(const json& body) {
    const HttpResponse r = daemon_.request("POST", "/api/Jobs", body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? json::parse(r.body)["d"]["Id"].get<std::string>() : "";
  }
  json tasks(const std::string& id) {
    return get("/api/Jobs('" + url_encode(id) + "')/Tasks")["d"]["results"];
  }
  // The output asset of the job's task at `position` (Tasks come in position order).
  json output_asset(const std::string& job_id, size_t position) {
    const std::string task_id = tasks(job_id).at(position)["Id"];
    return get("/api/Tasks('" + url_encode(task_id) + "')/OutputMediaAssets")["d"]["results"].at(0);
  }
  // The AssetFiles of an asset by Name: {ContentFileSize, MimeType, IsPrimary}.
  std::map<std::string, json> files(const std::string& asset_id) {
    std::map<std::string, json> out;
    const json listed = get("/api/Assets('" + url_encode(asset_id) + "')/Files");
    for (const auto& f : listed["d"]["results"]) out[f["Name"].get<std::string>()] = f;
    return out;
  }
  fs::path asset_dir(const std::string& asset_id) {
    return daemon_.dir() / "assets" / ("asset-" + asset_id.substr(asset_id.rfind(':') + 1));
  }
  static int64_t size_of(const json& file) {
    const json& v = file["ContentFileSize"];
    return v.is_string() ? std::stoll(v.get<std::string>()) : v.get<int64_t>();
  }
  // Every AssetFile is on disk with its ContentFileSize, and nothing else is in the folder.
  void expect_files_match_disk(const std::string& asset_id) {
    const auto listed = files(asset_id);
    std::set<std::string> on_disk;
    for (const auto& e : fs::directory_iterator(asset_dir(asset_id)))
      on_disk.insert(e.path().filename().string());
    for (const auto& [name, f] : listed) {
      EXPECT_TRUE(on_disk.count(name)) << name << " is listed but not on disk";
      if (on_disk.count(name)) {
        EXPECT_EQ(size_of(f), static_cast<int64_t>(fs::file_size(asset_dir(asset_id) / name)))
            << name;
      }
    }
    EXPECT_EQ(on_disk.size(), listed.size())
        << "files on disk that are not AssetFiles (or the reverse)";
  }
  // Every file the asset's manifests name is an AssetFile of the asset; returns how many names.
  size_t expect_manifest_entries_exist(const std::string& asset_id, const std::string& manifest) {
    const auto listed = files(asset_id);
    const auto refs = manifest_references(manifest, read_text(asset_dir(asset_id) / manifest));
    for (const auto& r : refs)
      EXPECT_TRUE(listed.count(r)) << manifest << " names " << r << ", not a file of the asset";
    return refs.size();
  }
  bool wait_finished(const std::string& job_id, int tasks,
                     std::chrono::milliseconds timeout = 300s) {
    return daemon_.wait_for_log("of job " + job_id + ": finished", timeout, tasks);
  }

  TempDir dir_;
  TempDir media_;
  DaemonProcess daemon_{dir_.path()};
};

TEST_F(ServePackage, JobPageSmoothStreamingJobWritesSixLayersTheIsmAndTheIsmc) {
  // The Job page's $batch request, as JSON: "H264 Smooth Streaming 720p" on the Azure Media
  // Encoder, output asset "Output asset". The 720p clip is cut to 3 s (stream copy) first.
  const fs::path cut = media_.path() / kClip;
  const ProcessResult ff = run({"/usr/bin/ffmpeg", "-v", "error", "-i", kMedia + "/" + kClip, "-t",
                                "3", "-c", "copy", "-map_metadata", "0", cut.string()});
  ASSERT_EQ(ff.exit_code, 0) << ff.err;
  const std::string asset = daemon_.upload(cut);
  json t = task("H264 Smooth Streaming 720p", kWame,
                "<?xml version=\"1.0\" encoding=\"utf-16\"?>\n<taskBody>\n  "
                "<inputAsset>JobInputAsset(0)</inputAsset>\n"
                "  <outputAsset assetCreationOptions=\"0\" assetName=\"Output "
                "asset\">JobOutputAsset(0)</outputAsset>\n"
                "</taskBody>");
  t["Name"] = "My Mp4 to Smooth Task";
  const std::string id =
      create_job(job_body("My MP4 to Smooth Streaming encoding job", asset, json::array({t})));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(wait_finished(id, 1)) << daemon_.log();
  EXPECT_EQ(tasks(id)[0]["State"], 3);

  const json out = output_asset(id, 0);
  EXPECT_EQ(out["Name"], "Output asset");
  const std::string out_id = out["Id"];
  const auto listed = files(out_id);
  const std::string base = "screen-720p30-h264-aac-rotate180";
  std::vector<std::string> ismv, isma;
  for (const auto& [name, f] : listed) {
    if (name.ends_with(".ismv")) ismv.push_back(name);
    if (name.ends_with(".isma")) isma.push_back(name);
  }
  std::vector<std::string> expected_ismv;
  for (int kbps : {1000, 1500, 2250, 3400, 400, 650})
    expected_ismv.push_back(base + "_H264_" + std::to_string(kbps) + "kbps.ismv");
  EXPECT_EQ(ismv, expected_ismv);
  EXPECT_EQ(isma, std::vector<std::string>{base + "_AAC_und_ch2_96kbps.isma"});
  ASSERT_TRUE(listed.count(base + ".ism")) << ::testing::PrintToString(ismv);
  ASSERT_TRUE(listed.count(base + ".ismc"));
  EXPECT_TRUE(listed.at(base + ".ism")["IsPrimary"].get<bool>());
  EXPECT_TRUE(listed.count(base + "_manifest.xml"));
  expect_files_match_disk(out_id);
  // The server manifest names the six .ismv and the .isma; the client manifest lists the six
  // video QualityLevels from 1280x720 down to 320x180.
  EXPECT_EQ(expect_manifest_entries_exist(out_id, base + ".ism"), 7u);
  const std::string ismc = read_text(asset_dir(out_id) / (base + ".ismc"));
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(ismc.c_str()));
  std::vector<std::string> sizes;
  for (const auto& q : doc.select_nodes("//StreamIndex[@Type='video']/QualityLevel"))
    sizes.push_back(std::string(q.node().attribute("MaxWidth").value()) + "x" +
                    q.node().attribute("MaxHeight").value() + "@" +
                    q.node().attribute("Bitrate").value());
  EXPECT_EQ(sizes.size(), 6u) << ismc;
  if (sizes.size() == 6) {
    EXPECT_TRUE(sizes.front().starts_with("1280x720@")) << ::testing::PrintToString(sizes);
    EXPECT_TRUE(sizes.back().starts_with("320x180@")) << ::testing::PrintToString(sizes);
  }
}

TEST_F(ServePackage, PackagerTasksChainedAfterAnEncodeWriteSmoothThenHlsAndDash) {
  const std::string asset = daemon_.upload(kMedia + "/" + kClip);
  const json body = job_body(
      "encode then package", asset,
      json::array(
          {task(mp4_set_preset().dump(), kMes, task_body("JobInputAsset(0)", 0)),
           task(kMp4ToSmooth, kPackager,
                task_body("JobOutputAsset(0)", 1, " assetName=\"Smooth\"")),
           task("HLS, DASH; segment_duration=2", kPackager, task_body("JobOutputAsset(0)", 2)),
           task(kSmoothToHls, kPackager, task_body("JobOutputAsset(1)", 3))}));
  const std::string id = create_job(body);
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(wait_finished(id, 4)) << daemon_.log();
  const json ts = tasks(id);
  ASSERT_EQ(ts.size(), 4u);
  for (const auto& t : ts) EXPECT_EQ(t["State"], 3) << t.dump();
  EXPECT_LE(ts[0]["EndTime"].get<std::string>(), ts[1]["StartTime"].get<std::string>());
  EXPECT_NE(ts[1]["PerfMessage"].get<std::string>().find("Packaging time is"), std::string::npos)
      << ts[1]["PerfMessage"];
  EXPECT_EQ(ts[1]["Progress"].get<double>(), 100.0);
  const std::string base = "screen-720p30-h264-aac-rotate180";

  // MP4 to Smooth Streams: one .ismv per layer, the audio as .isma, NAME.ism (primary) and
  // NAME.ismc, named after the encode's {Basename}; nothing re-encoded (the .ismv carry the MP4s'
  // video bytes).
  const std::string smooth = output_asset(id, 1)["Id"];
  const auto s = files(smooth);
  auto names = [](const std::map<std::string, json>& listed) {
    std::string out;
    for (const auto& [name, f] : listed) out += name + " ";
    return out;
  };
  ASSERT_TRUE(s.count(base + ".ism")) << names(s);
  EXPECT_TRUE(s.at(base + ".ism")["IsPrimary"].get<bool>());
  EXPECT_TRUE(s.count(base + ".ismc"));
  EXPECT_TRUE(s.count(base + "_manifest.xml"));
  EXPECT_EQ(s.at(base + ".ism")["MimeType"], "application/vnd.ms-sstr+xml");
  EXPECT_EQ(expect_manifest_entries_exist(smooth, base + ".ism"), 3u);  // 2 video + 1 audio
  EXPECT_TRUE(s.count(base + "_640x360_800.ismv"));
  EXPECT_TRUE(s.count(base + "_320x180_300.ismv"));
  expect_files_match_disk(smooth);
  // The output metadata lists every packaged file.
  const std::string metadata = read_text(asset_dir(smooth) / (base + "_manifest.xml"));
  for (const auto& [name, f] : s)
    if (!name.ends_with("_manifest.xml")) {
      EXPECT_NE(metadata.find("Name=\"" + name + "\""), std::string::npos) << name;
    }

  // HLS and DASH over one set of CMAF segments: the master and media playlists and the MPD name
  // the same init and media segments, every one a file of the asset.
  const std::string cmaf = output_asset(id, 2)["Id"];
  const auto c = files(cmaf);
  ASSERT_TRUE(c.count(base + ".m3u8")) << names(c);
  ASSERT_TRUE(c.count(base + ".mpd"));
  EXPECT_TRUE(c.at(base + ".m3u8")["IsPrimary"].get<bool>());
  const size_t variants = expect_manifest_entries_exist(cmaf, base + ".m3u8");
  EXPECT_EQ(variants, 3u);  // two video variants and the audio rendition's playlist
  size_t segments = 0;
  for (const auto& [name, f] : c)
    if (name.ends_with(".m3u8") && name != base + ".m3u8")
      segments += expect_manifest_entries_exist(cmaf, name);
  const size_t mpd_refs = expect_manifest_entries_exist(cmaf, base + ".mpd");
  EXPECT_EQ(mpd_refs, segments)
      << "the MPD and the HLS playlists name the same init and media segments";
  size_t m4s = 0;
  for (const auto& [name, f] : c) m4s += name.ends_with(".m4s");
  EXPECT_EQ(segments, m4s + 3) << "each media playlist: its init segment and every .m4s";
  expect_files_match_disk(cmaf);

  // Smooth Streams to Apple HTTP Live Streams on the Smooth asset, maxbitrate 500000: the
  // 640x360 layer (800 kbps) is left out and a Note says so; the master playlist takes the AMS
  // default name "<ISM file name>-m3u8-aapl.m3u8".
  const std::string hls = output_asset(id, 3)["Id"];
  const auto h = files(hls);
  const std::string master = base + "-m3u8-aapl.m3u8";
  ASSERT_TRUE(h.count(master)) << names(h);
  EXPECT_EQ(expect_manifest_entries_exist(hls, master), 2u);  // the 320x180 variant and the audio
  EXPECT_TRUE(h.count(base + "_320x180_300.m3u8"));
  EXPECT_FALSE(h.count(base + "_640x360_800.m3u8"));
  for (const auto& [name, f] : h)
    if (name.ends_with(".m3u8") && name != master) expect_manifest_entries_exist(hls, name);
  std::vector<std::string> notes;
  for (const auto& e : ts[3]["HistoricalEvents"]["results"])
    if (e["Code"] == "Note") notes.push_back(e["Message"]);
  ASSERT_EQ(notes.size(), 1u) << ts[3].dump();
  EXPECT_NE(notes[0].find(base + "_640x360_800.ismv: video at "), std::string::npos) << notes[0];
  EXPECT_NE(notes[0].find("is above maxbitrate 500000 bps: not packaged"), std::string::npos)
      << notes[0];
  expect_files_match_disk(hls);
}

TEST_F(ServePackage, MisalignedMp4SetFailsNamingBothFilesAndLeavesNoFiles) {
  // Two layers encoded separately with different GOPs (48 and 60 frames at 29.97 fps):
  // keyframes at 0, 1.6, 3.2 s against 0, 2.0 s.
  std::vector<fs::path> layers;
  for (const auto& [name, gop, size] : {std::tuple{"layer_640x360.mp4", "48", "640x360"},
                                        std::tuple{"layer_320x180.mp4", "60", "320x180"}}) {
    const fs::path out = media_.path() / name;
    const ProcessResult ff = run({"/usr/bin/ffmpeg",
                                  "-v",
                                  "error",
                                  "-i",
                                  kMedia + "/" + kClip,
                                  "-t",
                                  "3.5",
                                  "-an",
                                  "-c:v",
                                  "libx264",
                                  "-preset",
                                  "ultrafast",
                                  "-g",
                                  gop,
                                  "-keyint_min",
                                  gop,
                                  "-sc_threshold",
                                  "0",
                                  "-s",
                                  size,
                                  out.string()});
    ASSERT_EQ(ff.exit_code, 0) << ff.err;
    layers.push_back(out);
  }
  const std::string asset = daemon_.upload(layers);
  const std::string id = create_job(job_body(
      "misaligned", asset,
      json::array({task("Smooth Streaming", kPackager, task_body("JobInputAsset(0)", 0))})));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(daemon_.wait_for_log("of job " + id + ": ErrorExecutingTaskUnsupportedFormat", 120s))
      << daemon_.log();
  const json t = tasks(id)[0];
  EXPECT_EQ(t["State"], 4);
  const json detail = t["ErrorDetails"]["results"][0];
  EXPECT_EQ(detail["Code"], "ErrorExecutingTaskUnsupportedFormat");
  const std::string message = detail["Message"];
  EXPECT_NE(message.find("not GOP-aligned"), std::string::npos) << message;
  EXPECT_NE(message.find("layer_640x360.mp4"), std::string::npos) << message;
  EXPECT_NE(message.find("layer_320x180.mp4"), std::string::npos) << message;
  EXPECT_NE(message.find("1.602 s"), std::string::npos) << message;  // 48 frames at 29.97 fps
  EXPECT_NE(message.find("2.002 s"), std::string::npos) << message;  // 60 frames
  const std::string out_id = output_asset(id, 0)["Id"];
  EXPECT_TRUE(files(out_id).empty());
  EXPECT_TRUE(!fs::exists(asset_dir(out_id)) || fs::is_empty(asset_dir(out_id)))
      << "partial files left";
}

TEST_F(ServePackage, BadPackagerConfigurationsAreRejectedNamingConfiguration) {
  const std::string asset = daemon_.upload(kMedia + "/clip-1080x720-h264-aac-mono-1s.mp4");
  auto post = [&](const std::string& configuration) {
    return daemon_.request(
        "POST", "/api/Jobs",
        job_body("bad", asset,
                 json::array({task(configuration, kPackager, task_body("JobInputAsset(0)", 0))}))
            .dump());
  };
  const HttpResponse unknown = post("Flash");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("Tasks[0].Configuration"), std::string::npos) << unknown.body;
  EXPECT_NE(unknown.body.find("'Flash' is not a packaging format"), std::string::npos)
      << unknown.body;

  const HttpResponse segment = post("HLS; segment_duration=0");
  EXPECT_EQ(segment.status, 400);
  EXPECT_NE(segment.body.find("segment_duration"), std::string::npos) << segment.body;

  std::string maybe = kMp4ToSmooth;
  const std::string value = "value=\"false\"";
  maybe.replace(maybe.find(value), value.size(), "value=\"maybe\"");
  const HttpResponse bad_bool = post(maybe);
  EXPECT_EQ(bad_bool.status, 400);
  EXPECT_NE(
      bad_bool.body.find(
          "property 'keepSourceNames' of 'MP4 to Smooth Streams': 'maybe' is not true or false"),
      std::string::npos)
      << bad_bool.body;

  const HttpResponse malformed = post("<taskDefinition><name>x</name>");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_NE(malformed.body.find("not well-formed XML"), std::string::npos) << malformed.body;
  EXPECT_TRUE(get("/api/Jobs")["d"]["results"].empty());
}

}  // namespace
}  // namespace mw::test
