// Staff pages: copy buttons, bulk selection, confirmations, the trim handles, render progress, chapter seeking.
(function () {
  'use strict';
  var $ = function (sel) { return document.querySelector(sel); };

  // copy a link or message with one click
  document.querySelectorAll('[data-copy]').forEach(function (button) {
    button.addEventListener('click', function () {
      var source = $(button.dataset.copy);
      var text = source.value !== undefined ? source.value : source.textContent;
      var done = function () {
        var note = document.querySelector('[data-copied]');
        var label = document.documentElement.lang === 'nl' ? 'Gekopieerd' : 'Copied';
        if (note) note.textContent = label; else button.textContent = label;
      };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done);
      else { if (source.select) source.select(); document.execCommand('copy'); done(); }
    });
  });

  document.querySelectorAll('form[data-confirm]').forEach(function (form) {
    form.addEventListener('submit', function (e) { if (!window.confirm(form.dataset.confirm)) e.preventDefault(); });
  });

  // bulk selection on the moments grid
  var all = $('#select-all');
  if (all) {
    var boxes = document.querySelectorAll('input[name=ids]');
    var count = $('#selected-count');
    var matching = $('#select-matching');  // every moment the filter matches, on all pages
    var update = function () {
      var n = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
      if (matching && matching.checked && n < boxes.length) matching.checked = false;  // a tile unticked
      count.textContent = matching && matching.checked ? matching.dataset.count + ' ✓' : (n ? n + ' ✓' : '');
      all.checked = n > 0 && n === boxes.length;
      all.indeterminate = n > 0 && n < boxes.length;
    };
    all.addEventListener('change', function () { boxes.forEach(function (b) { b.checked = all.checked; }); update(); });
    boxes.forEach(function (b) { b.addEventListener('change', update); });
    if (matching) matching.addEventListener('change', function () {
      boxes.forEach(function (b) { b.checked = matching.checked; });
      update();
    });
  }

  // trim a clip: two range inputs bound to the preview player, saved by PATCH
  var trim = $('#trim');
  if (trim) {
    var video = $('#trim-video'), inp = $('#trim-in'), out = $('#trim-out'), status = $('#trim-status');
    var show = function (moved) {
      if (parseFloat(inp.value) >= parseFloat(out.value)) {
        if (moved === inp) inp.value = Math.max(0, parseFloat(out.value) - 0.1); else out.value = parseFloat(inp.value) + 0.1;
      }
      $('#trim-in-out').textContent = parseFloat(inp.value).toFixed(1);
      $('#trim-out-out').textContent = parseFloat(out.value).toFixed(1);
      if (video && moved) { video.pause(); video.currentTime = parseFloat(moved.value); }
    };
    inp.addEventListener('input', function () { show(inp); });
    out.addEventListener('input', function () { show(out); });
    if (video) {
      video.addEventListener('loadedmetadata', function () {
        if (isFinite(video.duration) && video.duration > 0 && !parseFloat(trim.dataset.duration)) {
          inp.max = out.max = video.duration; out.value = video.duration; show();
        }
      });
      // the preview plays only the kept part
      video.addEventListener('timeupdate', function () {
        if (video.currentTime >= parseFloat(out.value)) { video.pause(); video.currentTime = parseFloat(out.value); }
      });
      $('#trim-play').addEventListener('click', function () { video.currentTime = parseFloat(inp.value); video.play(); });
    }
    trim.addEventListener('submit', function (e) {
      e.preventDefault();
      status.textContent = '…';
      fetch('/api/moments/' + trim.dataset.moment, {
        method: 'PATCH', credentials: 'same-origin',
        headers: {'Content-Type': 'application/json', 'X-CSRF-Token': trim.dataset.csrf},
        body: JSON.stringify({trim_in_s: parseFloat(inp.value), trim_out_s: parseFloat(out.value)})
      }).then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); })
        .then(function (res) {
          status.textContent = res.ok ? '✓ ' + res.body.trim_in_s.toFixed(1) + '–' + res.body.trim_out_s.toFixed(1) + ' s' : res.body.detail;
        }).catch(function () { status.textContent = '✗'; });
    });
  }

  // the watch page: progress with time left while rendering; chapters seek the player
  var state = $('#state');
  if (state) {
    document.querySelectorAll('[data-seek]').forEach(function (b) {
      b.addEventListener('click', function () { var v = $('#player'); v.currentTime = parseFloat(b.dataset.seek); v.play(); });
    });
    if (state.dataset.status === 'queued' || state.dataset.status === 'running') {
      var timer = setInterval(function () {
        fetch('/api/renders/' + state.dataset.render, {credentials: 'same-origin'}).then(function (r) { return r.json(); }).then(function (r) {
          var bar = state.querySelector('.progress > div');
          if (bar) { bar.style.width = r.progress + '%'; bar.parentNode.setAttribute('aria-valuenow', r.progress); }
          var left = r.eta_s ? ' · ' + state.dataset.left.replace('{s}', Math.round(r.eta_s)) : '';
          $('#eta').textContent = Math.round(r.progress) + ' %' + left;
          if (r.status !== 'queued' && r.status !== 'running') { clearInterval(timer); location.reload(); }
        });
      }, 1000);
    }
  }

  var lanesFull = $('#lanes-full');
  if (lanesFull) lanesFull.addEventListener('click', function () { $('#lanes').requestFullscreen(); });
})();
