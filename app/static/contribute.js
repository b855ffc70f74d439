/* dayreel contributor pages: a small tus client and the multi-file uploader; confirm before delete.
   Plain JavaScript, no build step. Without it the page keeps its plain one-file form. */
(function () {
  "use strict";

  // "my moments": ask before deleting (the form works without this too)
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.getAttribute("data-confirm"))) e.preventDefault();
    });
  });

  var cfgEl = document.getElementById("dayreel-config");
  var root = document.getElementById("uploader");
  if (!cfgEl || !root || !window.fetch || !window.XMLHttpRequest || !Blob.prototype.slice) return;
  var cfg = JSON.parse(cfgEl.textContent);
  var T = cfg.text;
  var CHUNK = window.dayreelChunkBytes || cfg.chunkBytes;
  var PARALLEL = 2;
  var BACKOFF_S = [1, 2, 4, 8, 15, 30, 30, 30];
  // Times are shown and typed as wall-clock time in the project's zone, whatever zone the phone is in, so
  // this page and "my moments" (server side, app/services/project_time.py) always show the same time.
  var ZONE = cfg.timeZone;
  var zoneParts = null;
  try {
    zoneParts = new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, hourCycle: "h23", year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
  } catch (e) { /* old browser or unknown zone: the server reads typed times in the project's zone (tz) */ }

  var simple = document.getElementById("simple");
  if (simple) simple.hidden = true;
  root.hidden = false;
  var input = document.getElementById("u-files");
  var drop = document.getElementById("u-drop");
  var consent = document.getElementById("u-consent");
  var hint = document.getElementById("u-hint");
  var list = document.getElementById("u-list");
  var doneBox = document.getElementById("u-done");
  var uploads = [];
  var counter = 0;

  // --- small helpers ---------------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "class") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }
  function store(key, value) {
    try { if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, value); } catch (e) { /* private mode */ }
  }
  function recall(key) { try { return localStorage.getItem(key); } catch (e) { return null; } }
  function b64(text) { return btoa(unescape(encodeURIComponent(text))); }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function wall(ms) {
    // "YYYY-MM-DDTHH:MM:SS": the instant `ms` on a clock in the project's zone
    var p = {};
    zoneParts.formatToParts(new Date(ms)).forEach(function (x) { p[x.type] = x.value; });
    return p.year + "-" + p.month + "-" + p.day + "T" + p.hour + ":" + p.minute + ":" + p.second;
  }
  function zoneOffsetMin(ms) {
    return Math.round((Date.parse(wall(ms) + "Z") - Math.floor(ms / 1000) * 1000) / 60000);
  }
  function inProjectZone(value) {
    // a typed datetime-local value (project wall clock) with the project zone's offset on that date
    var local = value.slice(0, 16) + ":00";
    if (!zoneParts) return local;
    var guess = Date.parse(local + "Z");
    var off = zoneOffsetMin(guess - zoneOffsetMin(guess) * 60000);
    var sign = off >= 0 ? "+" : "-";
    off = Math.abs(off);
    return local + sign + pad(Math.floor(off / 60)) + ":" + pad(off % 60);
  }
  function fromServer(m) {
    // the time the server kept (read from the file, or typed), in the project's zone when its offset is known
    if (m.utc_offset && zoneParts) {
      var ms = Date.parse(m.captured_local + m.utc_offset);
      if (!isNaN(ms)) return wall(ms).slice(0, 16);
    }
    return m.captured_local.slice(0, 16);
  }
  function mb(bytes) {
    if (bytes < 1048576) return Math.max(1, Math.round(bytes / 1024)) + " KB";
    return (bytes / 1048576).toFixed(bytes < 10485760 ? 1 : 0) + " MB";
  }
  function sleep(s) { return new Promise(function (r) { setTimeout(r, s * 1000); }); }
  function readable(detail) {
    var text = String(detail || "");
    var low = text.toLowerCase();
    for (var i = 0; i < cfg.errors.length; i++) if (low.indexOf(cfg.errors[i][0]) >= 0) return cfg.errors[i][1];
    return text;
  }
  function detailOf(xhrOrText) {
    try { return JSON.parse(xhrOrText).detail; } catch (e) { return ""; }
  }

  // --- tus core protocol -----------------------------------------------------------------------
  function request(method, url, headers, body, onProgress) {
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.setRequestHeader("Tus-Resumable", "1.0.0");
      Object.keys(headers || {}).forEach(function (k) { xhr.setRequestHeader(k, headers[k]); });
      if (onProgress && xhr.upload) xhr.upload.onprogress = function (e) { onProgress(e.loaded); };
      xhr.onload = function () { resolve(xhr); };
      xhr.onerror = xhr.ontimeout = xhr.onabort = function () { resolve(null); };  // null: the network failed
      xhr.send(body || null);
    });
  }
  function transient(xhr) { return !xhr || xhr.status === 0 || xhr.status >= 500 || xhr.status === 423 || xhr.status === 429; }
  function Failure(detail, network) { this.detail = detail; this.network = network; }

  function create(u) {
    var meta = {
      filename: u.file.name || "upload", filetype: u.file.type || "application/octet-stream",
      invite: cfg.token, consent: "1", consent_scope: scope()
    };
    var header = Object.keys(meta).map(function (k) { return k + " " + b64(meta[k]); }).join(",");
    return request("POST", cfg.tusEndpoint, { "Upload-Length": String(u.file.size), "Upload-Metadata": header })
      .then(function (xhr) {
        if (xhr && xhr.status === 201) {
          u.url = new URL(xhr.getResponseHeader("Location"), location.href).pathname;
          u.offset = 0;
          store(u.key, u.url);
          return;
        }
        if (transient(xhr)) throw new Failure(T["err.network"], true);
        throw new Failure(readable(detailOf(xhr.responseText)), false);
      });
  }
  function resumeOffset(u) {
    // HEAD tells how much the server already holds; an unknown or expired upload starts again
    return request("HEAD", u.url).then(function (xhr) {
      if (xhr && xhr.status === 200) {
        u.offset = parseInt(xhr.getResponseHeader("Upload-Offset"), 10) || 0;
        progress(u, u.offset);
        return true;
      }
      if (transient(xhr)) throw new Failure(T["err.network"], true);
      store(u.key, null);
      u.url = null;
      return false;
    });
  }
  function sendChunk(u) {
    var end = Math.min(u.offset + CHUNK, u.file.size);
    var base = u.offset;
    return request("PATCH", u.url, { "Upload-Offset": String(base), "Content-Type": "application/offset+octet-stream" },
      u.file.slice(base, end), function (loaded) { progress(u, base + loaded); })
      .then(function (xhr) {
        if (xhr && xhr.status === 204) { u.offset = parseInt(xhr.getResponseHeader("Upload-Offset"), 10); u.tries = 0; return; }
        if (xhr && xhr.status === 409) return resumeOffset(u);  // we and the server disagree: ask, then go on
        if (xhr && (xhr.status === 404 || xhr.status === 410)) {
          // the server no longer has it (expired, cleaned up): start this file again
          store(u.key, null);
          u.url = null;
          throw new Failure(T["err.network"], true);
        }
        if (transient(xhr)) throw new Failure(T["err.network"], true);
        throw new Failure(readable(detailOf(xhr.responseText)), false);
      });
  }
  var finishing = Promise.resolve();
  function finish(u) {
    // one at a time: the first answer sets the contributor cookie, so all files land with one contributor
    var next = finishing.then(function () { return finishNow(u); });
    finishing = next.catch(function () { /* each row shows its own error */ });
    return next;
  }
  function finishNow(u) {
    return fetch(cfg.finishUrl.replace("{id}", u.url.split("/").pop()), {
      method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(fields(u, true))
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (r.status === 200 || r.status === 201) return body;
        if (r.status >= 500) throw new Failure(T["err.network"], true);
        store(u.key, null);
        throw new Failure(readable(body.detail), false);
      });
    }, function () { throw new Failure(T["err.network"], true); });
  }

  function transfer(u) {
    return Promise.resolve()
      .then(function () { return u.sent || !u.url ? false : resumeOffset(u); })
      .then(function (known) { return known || u.sent ? null : create(u); })
      .then(function loop() {
        if (!u.sent && u.offset < u.file.size) return sendChunk(u).then(loop);
      })
      .then(function () {
        // all bytes are there: from now on only the (repeatable) finish is retried, never the upload
        u.sent = true;
        setState(u, "processing");
        return finish(u);
      });
  }
  function run(u) {
    setState(u, "uploading");
    u.url = u.url || recall(u.key);
    return transfer(u).then(function (moment) {
      store(u.key, null);
      done(u, moment);
    }, function (err) {
      if (err instanceof Failure && err.network && u.tries < BACKOFF_S.length) {
        setState(u, "retrying");
        return sleep(BACKOFF_S[u.tries++]).then(function () { return run(u); });
      }
      fail(u, err instanceof Failure ? err.detail : String(err), err instanceof Failure && err.network);
    });
  }

  // --- queue -----------------------------------------------------------------------------------
  function scope() {
    var checked = root.querySelector("input[name=consent_scope]:checked") || root.querySelector("input[name=consent_scope]");
    return checked ? checked.value : "workshop";
  }
  function pump() {
    var waiting = uploads.filter(function (u) { return u.state === "waiting"; });
    hint.hidden = !waiting.length || consent.checked;
    if (!consent.checked) return;  // nothing is sent before consent
    var active = uploads.filter(function (u) { return ["uploading", "retrying", "processing"].indexOf(u.state) >= 0; }).length;
    waiting.slice(0, Math.max(0, PARALLEL - active)).forEach(function (u) {
      run(u).then(function () { pump(); summary(); });
    });
  }
  function summary() {
    var finished = uploads.filter(function (u) { return u.state === "done"; }).length;
    var busy = uploads.some(function (u) { return u.state !== "done" && u.state !== "failed"; });
    doneBox.hidden = busy || !finished;
    doneBox.textContent = T["contribute.all_done"];
  }

  // --- rows ------------------------------------------------------------------------------------
  function setState(u, state) {
    u.state = state;
    u.row.setAttribute("data-state", state);
    u.stateText.textContent = T["state." + state];
    if (state !== "uploading") u.speed.textContent = "";
    u.retry.hidden = u.remove.hidden = state !== "failed" && state !== "waiting";
    u.retry.hidden = state !== "failed" || !u.canRetry;
    if (state !== "failed") u.why.hidden = true;
  }
  function progress(u, sent) {
    var pct = u.file.size ? Math.floor(sent * 100 / u.file.size) : 100;
    u.bar.style.width = pct + "%";
    u.barBox.setAttribute("aria-valuenow", String(pct));
    var now = performance.now();
    if (u.lastT === undefined || sent < u.lastSent) { u.lastT = now; u.lastSent = sent; return; }
    var dt = (now - u.lastT) / 1000;
    if (dt < 0.5) return;
    var rate = (sent - u.lastSent) / dt;
    u.rate = u.rate ? 0.6 * u.rate + 0.4 * rate : rate;
    u.lastT = now; u.lastSent = sent;
    u.speed.textContent = (u.rate / 1048576).toFixed(1) + " MB/s";
  }
  function fail(u, why, network) {
    u.canRetry = network;
    setState(u, "failed");
    u.why.textContent = why;
    u.why.hidden = false;
  }
  function done(u, moment) {
    u.moment = moment;
    progress(u, u.file.size);
    setState(u, "done");
    if (u.timeDirty && u.time.value) return save(u, { captured_local: inProjectZone(u.time.value) });
    u.time.value = fromServer(moment);
    u.timeHint.textContent = T["contribute.when_zone"];
    u.timeCheck.hidden = moment.time_confirmed;
  }
  function fields(u, forFinish) {
    var mood = u.row.querySelector("input[type=radio]:checked");
    var out = {
      caption: u.caption.value, mood: mood ? parseInt(mood.value, 10) : null,
      alias: u.alias.value, role: u.role.value
    };
    if (forFinish) {
      if (u.timeDirty && u.time.value) {
        // typed: wall-clock time in the project's zone (tz below); the server checks it lies near the day
        out.captured_at = u.time.value.slice(0, 16) + ":00";
      } else if (u.file.lastModified) {
        // the file's own date is only a fallback the server uses when the file holds no time; far from the
        // project's day it is a copy's date, not the moment's: leave it out (the server then asks)
        var when = new Date(u.file.lastModified);
        var day = zoneParts ? wall(when.getTime()).slice(0, 10) : when.toISOString().slice(0, 10);  // as the server counts
        if (!cfg.days || (day >= cfg.days[0] && day <= cfg.days[1])) out.captured_at = when.toISOString();
      }
      out.tz = ZONE || null;
      out.consent = true;
      out.consent_scope = scope();
    }
    return out;
  }
  function save(u, patch) {
    // after the moment exists, each change is saved on its own
    if (!u.moment) return Promise.resolve();
    return fetch(cfg.momentUrl.replace("{id}", u.moment.id), {
      method: "PATCH", credentials: "same-origin", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(patch)
    }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { u.saved.textContent = readable(body.detail); u.saved.hidden = false; return; }
        u.moment = body;
        u.timeCheck.hidden = body.time_confirmed;
        u.saved.textContent = "✓ " + T["contribute.saved"];
        u.saved.hidden = false;
      });
    }, function () { u.saved.textContent = T["err.network"]; u.saved.hidden = false; });
  }

  function thumbnail(file) {
    var url = URL.createObjectURL(file);
    if ((file.type || "").indexOf("video/") === 0 || /\.(mov|mp4|m4v|webm|3gp)$/i.test(file.name)) {
      var v = el("video", { muted: "", playsinline: "", preload: "metadata", "aria-hidden": "true" });
      v.muted = true;
      v.src = url + "#t=0.1";  // a frame a little in, not the (often black) first one
      v.onerror = function () { v.replaceWith(el("span", { class: "noimg", text: T["contribute.no_preview"] })); };
      return v;
    }
    var img = el("img", { alt: "" });
    img.onerror = function () { img.replaceWith(el("span", { class: "noimg", text: T["contribute.no_preview"] })); };
    img.src = url;
    return img;
  }

  function addRow(file) {
    var key = "dayreel:" + cfg.token + ":" + file.name + ":" + file.size + ":" + file.lastModified;
    if (uploads.some(function (u) { return u.key === key; })) return;
    var n = ++counter;
    var u = { file: file, key: key, offset: 0, tries: 0, url: null, moment: null, timeDirty: false };
    u.stateText = el("span", { class: "label" });
    u.speed = el("span", { class: "speed" });
    u.bar = el("div");
    u.barBox = el("div", { class: "progress", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100",
      "aria-valuenow": "0", "aria-label": file.name }, [u.bar]);
    u.why = el("p", { class: "why", role: "alert", hidden: "" });
    u.retry = el("button", { type: "button", class: "secondary small", text: T["contribute.retry"], hidden: "" });
    u.remove = el("button", { type: "button", class: "secondary small", text: T["contribute.remove"] });
    u.caption = el("textarea", { id: "u-cap-" + n, maxlength: "500", rows: "2" });
    // empty until the server has read the file: never today's date, never the phone's zone
    u.time = el("input", { id: "u-time-" + n, type: "datetime-local", "aria-describedby": "u-time-hint-" + n,
      placeholder: T["contribute.when_hint"] });
    u.timeHint = el("p", { id: "u-time-hint-" + n, class: "muted small when-hint", text: T["contribute.when_hint"] });
    u.alias = el("input", { id: "u-alias-" + n, type: "text", maxlength: "100", autocomplete: "nickname" });
    u.alias.value = recall("dayreel:alias") || "";
    u.role = el("select", { id: "u-role-" + n }, ["", "customer", "employee"].map(function (r) {
      return el("option", { value: r, text: T[r ? "role." + r : "role.none"] });
    }));
    u.role.value = recall("dayreel:role") || "";
    u.saved = el("p", { class: "saved small", role: "status", hidden: "" });
    var yes = el("button", { type: "button", class: "secondary small", text: T["contribute.time_yes"] });
    var change = el("button", { type: "button", class: "secondary small", text: T["contribute.time_change"] });
    u.timeCheck = el("div", { class: "timecheck", hidden: "" }, [el("p", { text: T["contribute.time_check"] }), yes, change]);
    var moods = el("fieldset", { class: "mood" }, [el("legend", { text: T["contribute.mood"] })]);
    cfg.moods.forEach(function (m) {
      var id = "u-mood-" + n + "-" + m.value;
      moods.appendChild(el("input", { type: "radio", name: "u-mood-" + n, id: id, value: String(m.value) }));
      moods.appendChild(el("label", { for: id }, [el("span", { class: "emoji", "aria-hidden": "true", text: m.emoji }),
        el("span", { text: T["mood." + m.value] })]));
    });
    u.row = el("li", { class: "upload" }, [
      el("div", { class: "upload-head" }, [
        el("div", { class: "thumb" }, [thumbnail(file)]),
        el("div", { class: "upload-meta" }, [
          el("p", { class: "name" }, [document.createTextNode(file.name + " "), el("span", { class: "muted small", text: mb(file.size) })]),
          u.barBox,
          el("p", { class: "state", "aria-live": "polite" }, [u.stateText, document.createTextNode(" "), u.speed]),
          u.why, el("p", { class: "row" }, [u.retry, u.remove])
        ])
      ]),
      el("div", { class: "upload-fields" }, [
        el("label", { for: u.caption.id, text: T["contribute.caption"] }), u.caption,
        el("label", { for: u.time.id, text: T["contribute.when"] }), u.time, u.timeHint, u.timeCheck,
        moods,
        el("details", {}, [el("summary", { text: T["contribute.more"] }),
          el("label", { for: u.alias.id, text: T["contribute.alias"] }), u.alias,
          el("label", { for: u.role.id, text: T["contribute.role"] }), u.role]),
        u.saved
      ])
    ]);

    u.retry.addEventListener("click", function () { u.tries = 0; setState(u, "waiting"); pump(); });
    u.remove.addEventListener("click", function () {
      uploads.splice(uploads.indexOf(u), 1);
      u.row.remove();
      if (u.url) request("DELETE", u.url);
      store(u.key, null);
      summary();
    });
    yes.addEventListener("click", function () { save(u, { confirm_time: true }); });
    change.addEventListener("click", function () { u.time.focus(); });
    u.time.addEventListener("change", function () {
      u.timeDirty = true;
      u.timeHint.textContent = T["contribute.when_zone"];  // typed: "leave empty" no longer applies
      if (u.time.value) save(u, { captured_local: inProjectZone(u.time.value) });
    });
    var timer = null;
    u.caption.addEventListener("input", function () {
      u.saved.hidden = true;  // "saved" would be stale while typing
      clearTimeout(timer);
      timer = setTimeout(function () { save(u, { caption: u.caption.value }); }, 700);
    });
    u.alias.addEventListener("change", function () { store("dayreel:alias", u.alias.value); save(u, { alias: u.alias.value }); });
    u.role.addEventListener("change", function () { store("dayreel:role", u.role.value); save(u, { role: u.role.value }); });
    moods.addEventListener("change", function () { save(u, { mood: fields(u, false).mood }); });

    uploads.push(u);
    list.appendChild(u.row);
    if (file.size > cfg.maxBytes) { fail(u, T["err.too_large"], false); return; }
    setState(u, "waiting");
  }

  function addFiles(files) {
    Array.prototype.forEach.call(files, addRow);
    summary();
    pump();
  }
  input.addEventListener("change", function () { addFiles(input.files); input.value = ""; });
  consent.addEventListener("change", pump);
  ["dragenter", "dragover"].forEach(function (type) {
    drop.addEventListener(type, function (e) { e.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    drop.addEventListener(type, function () { drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (e) { e.preventDefault(); if (e.dataTransfer) addFiles(e.dataTransfer.files); });
  // a file dropped beside the box must not open in the tab and end the page
  window.addEventListener("dragover", function (e) { e.preventDefault(); });
  window.addEventListener("drop", function (e) { e.preventDefault(); });
})();
