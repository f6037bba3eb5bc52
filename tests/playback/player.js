// Playback harness (see player.html). Plays `manifest` with hls.js (its MSE path, never native HLS)
// or dash.js, records player and video element events, draws the first presented frame at or after
// `snapshot` seconds of media time into a canvas, and POSTs one JSON report to /report when the
// video ends, on a fatal error, or when playback makes no progress for `stall` seconds.
'use strict';

const params = new URLSearchParams(location.search);
const manifest = params.get('manifest');
const playerName = params.get('player');
const snapshotAt = Number(params.get('snapshot') ?? '-1');
const rate = Number(params.get('rate') ?? '1');
const stallSeconds = Number(params.get('stall') ?? '20');

const video = document.getElementById('video');
const started = performance.now();
const log = [];
const errors = [];
let snapshot = null;
let reported = false;

function note(text) {
  log.push(((performance.now() - started) / 1000).toFixed(3) + ' ' + text);
}

function fail(text) {
  note('error: ' + text);
  errors.push(text);
}

function bytesToBase64(bytes) {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

async function report(why) {
  if (reported) return;
  reported = true;
  note('report: ' + why);
  const body = {
    ended: video.ended,
    error: errors.join('; '),
    videoWidth: video.videoWidth,
    videoHeight: video.videoHeight,
    duration: Number.isFinite(video.duration) ? video.duration : -1,
    currentTime: video.currentTime,
    snapshot: snapshot,
    log: log.join('\n'),
  };
  try {
    await fetch('/report', {method: 'POST', headers: {'Content-Type': 'application/json'},
                            body: JSON.stringify(body)});
  } catch (e) {
    console.error('report failed: ' + e);
  }
}

// Draws the frame being presented (media time `time`) and keeps its RGBA pixels.
function takeSnapshot(time) {
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const context = canvas.getContext('2d', {willReadFrequently: true});
  context.drawImage(video, 0, 0, canvas.width, canvas.height);
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  snapshot = {width: canvas.width, height: canvas.height, time: time, rgba: bytesToBase64(pixels)};
  note('snapshot at ' + time.toFixed(3) + ' s, ' + canvas.width + 'x' + canvas.height);
}

// Playback runs at `rate` except from 1 s before the snapshot time until the snapshot is taken:
// at 1x every frame is presented (at 4x most are dropped), so the snapshot is the first frame at
// or after `snapshot` whatever the machine's load, and the same for HLS and DASH of one stream.
function wantedRate(mediaTime) {
  return snapshot === null && snapshotAt >= 0 && mediaTime >= snapshotAt - 1 ? 1 : rate;
}

function applyRate(mediaTime) {
  const wanted = wantedRate(mediaTime);
  if (video.playbackRate !== wanted) video.playbackRate = wanted;
}

function watchFrames() {
  const onFrame = (now, metadata) => {
    if (snapshot === null && snapshotAt >= 0 && metadata.mediaTime >= snapshotAt) {
      takeSnapshot(metadata.mediaTime);
    }
    applyRate(metadata.mediaTime);
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
}

// Reports when currentTime has not moved for `stallSeconds` (a missing segment that a player skips
// or waits on forever would otherwise leave the page silent until the harness's own timeout).
function watchProgress() {
  let lastTime = -1;
  let lastChange = performance.now();
  setInterval(() => {
    if (video.currentTime !== lastTime) {
      lastTime = video.currentTime;
      lastChange = performance.now();
    } else if (!video.ended && performance.now() - lastChange > stallSeconds * 1000) {
      fail('stalled at ' + video.currentTime.toFixed(3) + ' s for ' + stallSeconds + ' s');
      report('stall');
    }
  }, 250);
}

for (const name of ['loadedmetadata', 'canplay', 'playing', 'waiting', 'seeking', 'seeked', 'pause',
                    'ended', 'stalled', 'ratechange', 'resize']) {
  video.addEventListener(name, () => note('video ' + name + ' t=' + video.currentTime.toFixed(3) +
                                          (name === 'ratechange' ? ' rate=' + video.playbackRate : '')));
}
video.addEventListener('error', () => {
  const e = video.error;
  fail('video element error ' + (e ? e.code + ' ' + e.message : 'unknown'));
  report('video error');
});
video.addEventListener('ended', () => report('ended'));
video.addEventListener('playing', () => applyRate(video.currentTime));

function playHls() {
  if (!Hls.isSupported()) {
    fail('hls.js: MSE playback is not supported in this browser');
    report('unsupported');
    return;
  }
  // One retry at most: a missing file should fail the test quickly, not after minutes of retries.
  const once = {maxNumRetry: 1, retryDelayMs: 200, maxRetryDelayMs: 500};
  const policy = {default: {maxTimeToFirstByteMs: 10000, maxLoadTimeMs: 20000, timeoutRetry: once,
                            errorRetry: once}};
  const hls = new Hls({fragLoadPolicy: policy, playlistLoadPolicy: policy, manifestLoadPolicy: policy,
                       keyLoadPolicy: policy, steeringManifestLoadPolicy: policy,
                       certLoadPolicy: policy});
  for (const name of ['MANIFEST_PARSED', 'LEVEL_LOADED', 'AUDIO_TRACK_LOADED', 'BUFFER_CODECS',
                      'FRAG_BUFFERED', 'BUFFER_EOS']) {
    hls.on(Hls.Events[name], (event, data) => {
      let detail = '';
      if (data && data.frag) detail = ' ' + data.frag.type + ' sn=' + data.frag.sn;
      if (data && name === 'BUFFER_EOS') detail = ' ' + data.type;
      if (data && name === 'BUFFER_CODECS') detail = ' ' + JSON.stringify(
          Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v && v.codec])));
      note('hls ' + event + detail);
    });
  }
  hls.on(Hls.Events.ERROR, (event, data) => {
    const where = data.url || (data.frag && data.frag.url) || (data.context && data.context.url) || '';
    const status = data.response && data.response.code ? ' HTTP ' + data.response.code : '';
    const text = 'hls.js ' + data.type + ' ' + data.details + status + (where ? ' ' + where : '') +
                 (data.error ? ' (' + data.error.message + ')' : '');
    if (data.fatal) {
      fail(text);
      report('fatal hls.js error');
    } else {
      note('non-fatal ' + text);
    }
  });
  hls.loadSource(manifest);
  hls.attachMedia(video);
}

function playDash() {
  const player = dashjs.MediaPlayer().create();
  // Gaps are not jumped: a missing segment must show as an error or a stall, not be skipped.
  player.updateSettings({
    debug: {logLevel: dashjs.Debug.LOG_LEVEL_WARNING},
    streaming: {gaps: {jumpGaps: false, jumpLargeGaps: false},
                retryAttempts: {MediaSegment: 1, InitializationSegment: 1, MPD: 1},
                retryIntervals: {MediaSegment: 200, InitializationSegment: 200, MPD: 200}},
  });
  const events = dashjs.MediaPlayer.events;
  for (const name of ['STREAM_INITIALIZED', 'PLAYBACK_ENDED', 'BUFFER_EMPTY', 'BUFFER_LOADED']) {
    player.on(events[name], (e) => note('dash ' + e.type + (e.mediaType ? ' ' + e.mediaType : '')));
  }
  player.on(events.ERROR, (e) => {
    const error = e.error || {};
    fail('dash.js error ' + (error.code ?? '') + ' ' + (error.message ?? JSON.stringify(e)));
    report('dash.js error');
  });
  player.on(events.PLAYBACK_ERROR, (e) => {
    fail('dash.js playback error ' + (e.error ? e.error.message || e.error : ''));
    report('dash.js playback error');
  });
  player.initialize(video, manifest, true);
}

function start() {
  watchFrames();
  watchProgress();
  note('start ' + playerName + ' ' + manifest + ' rate=' + rate + ' snapshot=' + snapshotAt);
  if (playerName === 'hls') playHls();
  else if (playerName === 'dash') playDash();
  else {
    fail('unknown player ' + playerName);
    report('bad query');
  }
}

const script = document.createElement('script');
script.src = playerName === 'dash' ? '/node_modules/dashjs/dist/modern/umd/dash.all.min.js'
                                   : '/node_modules/hls.js/dist/hls.min.js';
script.onload = start;
script.onerror = () => {
  fail('could not load ' + script.src);
  report('player script missing');
};
document.head.appendChild(script);
