#pragma once
// The two Atom entries of the AMS v2 Job page's $batch request (AMS-V2-JOB-PAGE.md;
// ../shared/checks/job-page-batch.http), byte for byte but for the placeholders.

#include <string>

#include "daemon/api/uri.hpp"

namespace mw::api::test {

/// The Job entry (Content-ID 1): InputMediaAssets as a <link> to `asset_id` under `base`
/// (".../api/"), one d:JobNotificationSubscriptions d:element for `endpoint_id`.
inline std::string job_page_job_entry(const std::string& base, const std::string& asset_id,
                                      const std::string& endpoint_id) {
  return R"atom(<?xml version="1.0" encoding="utf-8"?><entry xmlns="http://www.w3.org/2005/Atom" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns:georss="http://www.georss.org/georss" xmlns:gml="http://www.opengis.net/gml"><link rel="http://schemas.microsoft.com/ado/2007/08/dataservices/related/InputMediaAssets" type="application/atom+xml;type=feed" title="InputMediaAssets" href=")atom" +
         base + R"atom(Assets(')atom" + percent_encode(asset_id) +
         R"atom(')" /><id /><title /><updated>2013-04-20T22:41:57Z</updated><author><name /></author><content type="application/xml"><m:properties><d:Created m:type="Edm.DateTime">0001-01-01T00:00:00</d:Created><d:EndTime m:null="true" /><d:Id m:null="true" /><d:JobNotificationSubscriptions><d:element><d:NotificationEndPointId>)atom" +
         endpoint_id +
         R"atom(</d:NotificationEndPointId><d:TargetJobState m:type="Edm.Int32">2</d:TargetJobState></d:element></d:JobNotificationSubscriptions><d:LastModified m:type="Edm.DateTime">0001-01-01T00:00:00</d:LastModified><d:Name>My MP4 to Smooth Streaming encoding job</d:Name><d:Priority m:type="Edm.Int32">0</d:Priority><d:RunningDuration m:type="Edm.Double">0</d:RunningDuration><d:StartTime m:null="true" /><d:State m:type="Edm.Int32">0</d:State><d:TemplateId m:null="true" /></m:properties></content></entry>)atom";
}

/// The Task entry (Content-ID 2): "H264 Smooth Streaming 720p" on the Windows Azure Media
/// Encoder, its TaskBody sent as markup (an XML declaration and <taskBody>) inside d:TaskBody.
inline const std::string kJobPageTaskEntry =
    R"atom(<?xml version="1.0" encoding="utf-8"?><entry xmlns="http://www.w3.org/2005/Atom" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns:georss="http://www.georss.org/georss" xmlns:gml="http://www.opengis.net/gml"><id /><title /><updated>2013-04-20T22:41:57Z</updated><author><name /></author><content type="application/xml"><m:properties><d:Configuration>H264 Smooth Streaming 720p</d:Configuration><d:EncryptionKeyId m:null="true" /><d:EncryptionScheme m:null="true" /><d:EncryptionVersion m:null="true" /><d:EndTime m:null="true" /><d:ErrorDetails /><d:HistoricalEvents /><d:Id></d:Id><d:InitializationVector m:null="true" /><d:MediaProcessorId>nb:mpid:UUID:70bdc2c3-ebf4-42a9-8542-5afc1e55d217</d:MediaProcessorId><d:Name>My Mp4 to Smooth Task</d:Name><d:Options m:type="Edm.Int32">0</d:Options><d:PerfMessage m:null="true" /><d:Priority m:type="Edm.Int32">0</d:Priority><d:Progress m:type="Edm.Double">0</d:Progress><d:RunningDuration m:type="Edm.Double">0</d:RunningDuration><d:StartTime m:null="true" /><d:State m:type="Edm.Int32">0</d:State><d:TaskBody><?xml version="1.0" encoding="utf-16"?>
<taskBody>
  <inputAsset>JobInputAsset(0)</inputAsset>
  <outputAsset assetCreationOptions="0" assetName="Output asset">JobOutputAsset(0)</outputAsset>
</taskBody></d:TaskBody></m:properties></content></entry>)atom";

/// The TaskBody the Task entry carries, as the client wrote it.
inline const std::string kJobPageTaskBody = R"atom(<?xml version="1.0" encoding="utf-16"?>
<taskBody>
  <inputAsset>JobInputAsset(0)</inputAsset>
  <outputAsset assetCreationOptions="0" assetName="Output asset">JobOutputAsset(0)</outputAsset>
</taskBody>)atom";

}  // namespace mw::api::test
