"""The stream page and the index, as HTML. Every value put into them is HTML-escaped; the steps
arrive later as JSON and are rendered with ``textContent`` only, so a test name or a selector
such as ``<script>alert(1)</script>`` is shown as text and never runs. The script is static and
allowed by its hash in the Content-Security-Policy: no inline script of any other origin runs.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from .hub import RunStream

STYLE = """
[hidden]{display:none!important}
body{margin:0;font:14px/1.4 system-ui,sans-serif;background:#111;color:#ddd}
header{padding:8px 14px;background:#1d1d1d;border-bottom:1px solid #333;display:flex;gap:14px;
 align-items:baseline;flex-wrap:wrap}
h1{font-size:15px;margin:0;font-weight:600;word-break:break-all}
#status{padding:1px 8px;border-radius:9px;background:#444}
#status.running{background:#1f5fa8}#status.passed{background:#2c7a3a}
#status.failed,#status.error,#status.interrupted{background:#a33}
a{color:#8cf}.meta{color:#999;font-size:12px}
main{display:flex;gap:12px;padding:12px;align-items:flex-start}
#screen{flex:0 1 auto;background:#000;border:1px solid #333;min-width:320px;min-height:200px}
#screen canvas,#screen video{display:block;max-width:100%}
#steps{flex:1 1 320px;margin:0;padding:0 0 0 28px;max-height:85vh;overflow:auto}
#steps li{padding:3px 4px;border-bottom:1px solid #2a2a2a}
#steps li.fail{color:#f88}#steps li.healed{background:#3a3310}
.badge{font-size:11px;padding:0 6px;border-radius:8px;margin-left:6px;background:#a80;color:#000}
.sel{color:#9c9;font-family:monospace;word-break:break-all}.dur{color:#888;margin-left:6px}
.err{color:#f88;font-family:monospace;white-space:pre-wrap}
"""

SCRIPT = r"""
(() => {
  const body = document.body;
  const token = new URLSearchParams(location.search).get("token") || "";
  const mode = new URLSearchParams(location.search).get("mode") || "";
  const q = "token=" + encodeURIComponent(token);
  const base = location.pathname;
  const screen = document.getElementById("frame");
  const video = document.getElementById("video");
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const show = (id, text) => { document.getElementById(id).textContent = text; };
  let frames = 0, shownAt = 0;
  const seen = [];
  function counted(captured) {
    // The figures in the header are redrawn twice a second, not on every frame.
    frames += 1;
    const now = Date.now();
    seen.push(now);
    while (seen.length && now - seen[0] > 2000) seen.shift();
    body.dataset.frames = String(frames);
    if (captured) body.dataset.latency = String(now - captured);
    if (now - shownAt < 500) return;
    shownAt = now;
    show("fps", (seen.length / 2).toFixed(1) + " fps");
    if (captured) show("latency", Math.max(0, now - captured).toFixed(0) + " ms");
  }
  const decoder = new TextDecoder();
  function nextPart(buf) {
    // One part of the multipart stream: "--boundary", headers, a blank line, Content-Length bytes.
    let end = -1;
    for (let i = 0; i + 3 < buf.length; i++) {
      if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) { end = i; break; }
    }
    if (end < 0) return null;
    const head = decoder.decode(buf.subarray(0, end));
    const length = Number((/content-length:\s*(\d+)/i.exec(head) || [])[1]);
    if (!(length >= 0)) throw new Error("not a frame");
    const start = end + 4;
    if (buf.length < start + length + 2) return null;
    const header = (name) => (new RegExp(name + ":\\s*([0-9.]+)", "i").exec(head) || [])[1];
    return {data: buf.slice(start, start + length), end: start + length + 2,
            seq: Number(header("X-Frame-Seq")), captured: Number(header("X-Frame-Captured"))};
  }
  async function pullFrames() {
    // The raw MJPEG stream, read by the page itself: one connection for all frames, each frame
    // decoded off the main thread (createImageBitmap) and handed to the canvas without a copy,
    // which costs a viewer about half the CPU of an <img> given a new frame every time. While
    // a frame is being drawn, the page reads nothing, so the server's writes wait and it skips
    // to the newest frame: a slow viewer gets fewer frames, never older ones.
    body.dataset.player = "mjpeg";
    show("player", "MJPEG");
    screen.hidden = false; video.hidden = true;
    const g = screen.getContext("bitmaprenderer");
    for (;;) {
      try {
        const r = await fetch(base + "/mjpeg?" + q, {cache: "no-store"});
        if (!r.ok || !r.body) throw new Error("no stream: " + r.status);
        const reader = r.body.getReader();
        let buf = new Uint8Array(0);
        for (;;) {
          const {value, done} = await reader.read();
          if (done) break;
          const joined = new Uint8Array(buf.length + value.length);
          joined.set(buf); joined.set(value, buf.length);
          buf = joined;
          let part = null, newest = null;
          while ((part = nextPart(buf))) { newest = part; buf = buf.subarray(part.end); }
          if (!newest) continue;
          const bitmap = await createImageBitmap(new Blob([newest.data], {type: "image/jpeg"}));
          if (screen.width !== bitmap.width || screen.height !== bitmap.height) {
            screen.width = bitmap.width; screen.height = bitmap.height;
          }
          g.transferFromImageBitmap(bitmap);
          body.dataset.seq = String(newest.seq);
          counted(newest.captured);
          const detail = {seq: newest.seq, captured: newest.captured};
          screen.dispatchEvent(new CustomEvent("frame", {detail}));
        }
      } catch (e) { /* the server went away, or a frame could not be decoded: start again */ }
      await sleep(1000);
    }
  }
  async function playWebRTC() {
    const pc = new RTCPeerConnection();
    window.irlPeer = pc;  // for a look at its stats from the console
    pc.addTransceiver("video", {direction: "recvonly"});
    pc.ontrack = (e) => { video.srcObject = e.streams[0] || new MediaStream([e.track]); };
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((resolve) => {
      if (pc.iceGatheringState === "complete") return resolve();
      pc.addEventListener("icegatheringstatechange", () => {
        if (pc.iceGatheringState === "complete") resolve();
      });
      setTimeout(resolve, 2000);
    });
    const r = await fetch(base + "/offer?" + q, {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({sdp: pc.localDescription.sdp, type: pc.localDescription.type}),
    });
    if (!r.ok) throw new Error("offer refused: " + r.status);
    await pc.setRemoteDescription(await r.json());
    body.dataset.webrtc = "answered";
    for (let i = 0; i < 50 && pc.connectionState !== "connected"; i++) await sleep(100);
    if (pc.connectionState !== "connected") { pc.close(); throw new Error("no connection"); }
    body.dataset.webrtc = "connected";
    body.dataset.player = "webrtc";
    show("player", "WebRTC");
    screen.hidden = true; video.hidden = false;
    video.muted = true;
    video.play().catch(() => {});
    const tick = () => { counted(0); video.requestVideoFrameCallback(tick); };
    if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(tick);
  }
  function stepItem(step) {
    const li = document.createElement("li");
    const head = document.createElement("div");
    const action = document.createElement("strong");
    action.textContent = step.action;
    head.appendChild(action);
    if (step.selector) {
      const sel = document.createElement("span");
      sel.className = "sel";
      sel.textContent = " " + step.selector;
      head.appendChild(sel);
    }
    const dur = document.createElement("span");
    dur.className = "dur";
    dur.textContent = step.durationMs ? step.durationMs.toFixed(0) + " ms" : "…";
    head.appendChild(dur);
    li.appendChild(head);
    if (step.selfHealing) {
      li.classList.add("healed");
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = "healed (" + step.selfHealing.strategy + ")";
      head.appendChild(badge);
      const to = document.createElement("div");
      to.className = "sel";
      to.textContent = "→ " + step.selfHealing.healedSelector;
      li.appendChild(to);
    }
    if (step.success === false) {
      li.classList.add("fail");
      const err = document.createElement("div");
      err.className = "err";
      err.textContent = String(step.error || "failed").split("\n")[0];
      li.appendChild(err);
    }
    return li;
  }
  async function pullState() {
    // Only the steps from the last one shown are asked for (it may have ended since); once the
    // run is over, the whole list once more, as it was stored.
    let last = "", shown = 0, ended = false;
    const list = document.getElementById("steps");
    for (;;) {
      try {
        const since = Math.max(0, shown - 1);
        const r = await fetch(base + "/state?since=" + since + "&" + q, {cache: "no-store"});
        if (r.ok) {
          const text = await r.text();
          if (text !== last) {
            last = text;
            const state = JSON.parse(text);
            const status = document.getElementById("status");
            status.textContent = state.status;
            status.className = state.status;
            body.dataset.status = state.status;
            while (list.children.length > state.stepsFrom) list.lastElementChild.remove();
            for (const step of state.steps) list.appendChild(stepItem(step));
            shown = list.children.length;
            body.dataset.steps = String(shown);
            if (state.finished && !ended) { ended = true; shown = 0; continue; }
          }
        }
      } catch (e) {
        show("status", "stream ended");
      }
      await sleep(body.dataset.status === "running" ? 250 : 2000);
    }
  }
  pullState();
  if (body.dataset.webrtcAvailable === "1" && mode !== "mjpeg" && window.RTCPeerConnection) {
    playWebRTC().catch((e) => { body.dataset.webrtc = "failed: " + e.message; pullFrames(); });
  } else {
    pullFrames();
  }
})();
"""


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


CSP = (
    f"default-src 'none'; script-src {_hash(SCRIPT)}; style-src {_hash(STYLE)}; img-src 'self'; "
    "media-src 'self' blob: mediastream:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


def stream_page(stream: RunStream, webrtc: bool) -> str:
    run = stream.run
    mjpeg = f"/stream/{quote(stream.run_id)}/mjpeg"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<title>{escape(run.nodeid)} · pytest-irl live</title><style>{STYLE}</style></head>
<body data-run-id="{escape(stream.run_id)}" data-webrtc-available="{'1' if webrtc else '0'}">
<header><h1 id="nodeid">{escape(run.nodeid)}</h1>
<span id="status" class="{escape(run.status)}">{escape(run.status)}</span>
<span class="meta">player <span id="player">…</span> · <span id="fps">0 fps</span> · latency
<span id="latency">–</span> · <a id="mjpeg" href="{escape(mjpeg)}">raw MJPEG stream</a>
· <a id="index" href="/">all runs</a></span></header>
<main><div id="screen"><canvas id="frame" role="img" aria-label="live view of the test's page"></canvas>
<video id="video" hidden playsinline autoplay muted></video></div><ol id="steps"></ol></main>
<script>{SCRIPT}</script>
<script>{LINKS}</script>
</body></html>
"""


# Adds the token to the page's own links (it is not written into the HTML, so it is not logged
# with the page's source or copied with it).
LINKS = r"""
(() => {
  const token = new URLSearchParams(location.search).get("token") || "";
  for (const a of document.querySelectorAll("a[href^='/']")) {
    const url = new URL(a.getAttribute("href"), location.href);
    url.searchParams.set("token", token);
    a.href = url.pathname + url.search;
  }
})();
"""

CSP = CSP.replace("script-src ", f"script-src {_hash(LINKS)} ")


def index(runs: list[RunStream]) -> str:
    items = []
    for stream in runs:
        href = f"/stream/{quote(stream.run_id)}"
        items.append(f'<li><a href="{escape(href)}">{escape(stream.run.nodeid)}</a> '
                     f'<span class="meta">{escape(stream.run.status)}</span></li>')
    listing = "\n".join(items) or "<li>No test has been streamed yet.</li>"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<title>pytest-irl live</title><style>{STYLE}</style></head>
<body><header><h1>pytest-irl: live test runs</h1></header>
<main><ol id="steps">{listing}</ol></main>
<script>{LINKS}</script>
</body></html>
"""
