// Presentation mode: keyboard-driven slideshow, live wall (server-sent events), collage, film, prompts and notes.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('present-data').textContent);
  var words = data.words;
  var slides = data.slides.slice();
  var index = 0, playing = false, timer = null, promptIndex = 0, view = 'slides';
  var SLIDE_MS = 6000;
  var $ = function (id) { return document.getElementById(id); };

  function who(m) {
    var role = m.role ? words[m.role] || m.role : '';
    return [m.alias, role].filter(Boolean).join(' · ');
  }
  function stars(n) { return n ? '★★★★★'.slice(0, n) : ''; }

  function showSlide(i) {
    if (!slides.length) { $('no-slides').hidden = false; document.querySelector('.slide').hidden = true; return; }
    $('no-slides').hidden = true; document.querySelector('.slide').hidden = false;
    index = (i + slides.length) % slides.length;
    var m = slides[index];
    var img = $('slide-img');
    img.src = m.preview || m.thumb || '';
    img.alt = m.caption || '';
    img.hidden = !(m.preview || m.thumb);
    $('slide-time').textContent = m.time;
    $('slide-part').textContent = m.part;
    $('slide-caption').textContent = m.caption;
    $('slide-who').textContent = who(m);
    $('slide-mood').textContent = stars(m.mood);
    $('slide-n').textContent = (index + 1) + ' ' + words.of + ' ' + slides.length;
  }

  function setPlaying(on) {
    playing = on;
    clearInterval(timer);
    if (on) timer = setInterval(function () { showSlide(index + 1); }, SLIDE_MS);
  }

  function setView(name) {
    view = name;
    document.querySelectorAll('.view').forEach(function (v) { v.hidden = v.id !== 'view-' + name; });
    document.querySelectorAll('[data-view]').forEach(function (b) {
      b.setAttribute('aria-pressed', b.dataset.view === name ? 'true' : 'false');
    });
    document.body.dataset.view = name;
    var film = $('film');
    if (film && name !== 'film') film.pause();
    if (name !== 'slides') setPlaying(false);
    if (name === 'wall') wall.show(); else wall.hide();
  }
  var resizeTimer = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { wall.relayout(); }, 200);
  });

  // --- live wall (present-wall.js) -------------------------------------
  var wall = window.DayreelWall.create({wall: $('wall'), card: $('join'), news: $('wall-news'), words: words});
  wall.load(slides);
  $('wall-count').textContent = String(slides.length);

  function upsertSlide(m) {
    var at = slides.findIndex(function (s) { return s.id === m.id; });
    if (at >= 0) { slides[at] = m; return false; }
    var pos = slides.findIndex(function (s) { return s.time > m.time; });
    slides.splice(pos < 0 ? slides.length : pos, 0, m);
    if (pos >= 0 && pos <= index) index += 1;
    return true;
  }

  if (window.EventSource) {
    var url = data.events + '?since=' + encodeURIComponent(data.since) + '&after=' + data.after;
    var source = new EventSource(url, {withCredentials: true});
    source.addEventListener('moment', function (e) {
      var m = JSON.parse(e.data);
      var fresh = upsertSlide(m);
      wall.upsert(m, fresh);
      $('wall-count').textContent = String(slides.length);
      if (view === 'slides' && !playing) showSlide(index);
    });
  }

  // --- prompts and notes -------------------------------------------------
  var prompt = $('prompt');
  function showPrompt(i) {
    if (!data.prompts.length) return;
    promptIndex = (i + data.prompts.length) % data.prompts.length;
    var text = data.prompts[promptIndex];
    $('prompt-text').textContent = text;
    $('prompt-n').textContent = (promptIndex + 1) + ' ' + words.of + ' ' + data.prompts.length;
    var list = $('notes');
    list.textContent = '';
    data.notes.filter(function (n) { return n.prompt === text; }).forEach(function (n) {
      var li = document.createElement('li'); li.textContent = n.body; list.appendChild(li);
    });
  }
  function togglePrompt(open) {
    prompt.hidden = open === undefined ? !prompt.hidden : !open;
    document.body.classList.toggle('with-prompt', !prompt.hidden);
    if (!prompt.hidden) { showPrompt(promptIndex); var input = $('note-input'); if (input) input.focus(); }
    else { $('stage').focus(); }
  }
  var form = $('note-form');
  if (form) form.addEventListener('submit', function (e) {
    e.preventDefault();
    var input = $('note-input');
    var body = input.value.trim();
    if (!body) return;
    fetch(data.notesUrl, {
      method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRF-Token': data.csrf},
      body: JSON.stringify({body: body, prompt: data.prompts[promptIndex] || ''})
    }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    }).then(function (note) {
      data.notes.push(note); input.value = ''; showPrompt(promptIndex); input.focus();
      $('note-status').textContent = words.saved;
    }).catch(function () { $('note-status').textContent = words.failed; form.classList.add('failed'); });
  });

  // --- full screen and keys ---------------------------------------------
  function fullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(function () {});
  }

  document.addEventListener('keydown', function (e) {
    var typing = e.target && (e.target.tagName === 'INPUT' || e.target.tagName === 'TEXTAREA');
    if (typing) {
      // while typing a note, Esc leaves the field and Page Up/Down still step through the prompts
      if (e.key === 'Escape') { e.target.blur(); togglePrompt(false); }
      else if (e.key === 'PageDown' || e.key === 'PageUp') { e.preventDefault(); showPrompt(promptIndex + (e.key === 'PageDown' ? 1 : -1)); }
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var film = $('film');
    switch (e.key) {
      case 'ArrowRight': case 'PageDown':
        if (!prompt.hidden) showPrompt(promptIndex + 1); else if (view === 'slides') showSlide(index + 1);
        else if (view === 'wall') wall.step(1); else return;
        break;
      case 'ArrowLeft': case 'PageUp':
        if (!prompt.hidden) showPrompt(promptIndex - 1); else if (view === 'slides') showSlide(index - 1);
        else if (view === 'wall') wall.step(-1); else return;
        break;
      case ' ':
        if (view === 'film' && film) { if (film.paused) film.play(); else film.pause(); }
        else if (view === 'slides') setPlaying(!playing);
        else return;
        break;
      case 'f': case 'F': fullscreen(); break;
      case 'Escape': if (!prompt.hidden) togglePrompt(false); else if (document.fullscreenElement) document.exitFullscreen(); break;
      case 's': case 'S': setView('slides'); showSlide(index); break;
      case 'w': case 'W': setView('wall'); break;
      case 'c': case 'C': setView('collage'); break;
      case 'v': case 'V': setView('film'); break;
      case 'p': case 'P': togglePrompt(); break;
      case 'n': case 'N': togglePrompt(true); break;
      default: return;
    }
    e.preventDefault();
  });

  document.querySelectorAll('[data-view]').forEach(function (b) {
    b.addEventListener('click', function () { setView(b.dataset.view); if (b.dataset.view === 'slides') showSlide(index); });
  });
  $('toggle-prompt').addEventListener('click', function () { togglePrompt(); });
  $('fullscreen').addEventListener('click', fullscreen);
  document.querySelectorAll('[data-seek]').forEach(function (b) {
    b.addEventListener('click', function () { var f = $('film'); f.currentTime = parseFloat(b.dataset.seek); f.play(); });
  });

  var start = new URLSearchParams(location.search).get('view');
  setView(['slides', 'wall', 'collage', 'film'].indexOf(start) >= 0 ? start : 'slides');
  if (view === 'slides') showSlide(0);  // the wall alone fetches no slide picture
  showPrompt(0);
  if (new URLSearchParams(location.search).get('prompt')) togglePrompt(true);
  $('stage').focus();
})();
