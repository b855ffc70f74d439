/* Presentation mode: the themes map (key T or its button). A theme opens (click, or keys 1-9) to step
   through its moments with the arrow keys; Esc goes back to the map. Self-contained: present.js hides this
   view like any other when another view is chosen, and this script handles its keys before present.js. */
(function () {
  'use strict';
  var view = document.getElementById('view-themes');
  if (!view) return;
  var data = JSON.parse(document.getElementById('themes-data').textContent);
  var slides = JSON.parse(document.getElementById('present-data').textContent).slides;
  var byId = {};
  slides.forEach(function (s) { byId[s.id] = s; });
  var map = document.getElementById('themes-map');
  var list = document.getElementById('themes-list');
  var panel = document.getElementById('theme-moment');
  var open = null, step = 0;

  function showMap() {
    document.querySelectorAll('.view').forEach(function (v) { v.hidden = v !== view; });
    document.querySelectorAll('[data-view]').forEach(function (b) { b.setAttribute('aria-pressed', 'false'); });
    document.body.dataset.view = 'themes';
    var film = document.getElementById('film');
    if (film) film.pause();
    if (map && !map.src) map.src = map.dataset.src;  // loaded on first show: drawing it takes a moment
    closeTheme();
  }

  function closeTheme() {
    open = null;
    if (panel) panel.hidden = true;
    if (map) map.hidden = false;
    if (list) list.hidden = false;
  }

  function showMoment() {
    var theme = data.themes[open];
    var ids = theme.moments.filter(function (id) { return byId[id]; });
    if (!ids.length) return;
    step = (step + ids.length) % ids.length;
    var m = byId[ids[step]];
    var img = document.getElementById('theme-img');
    img.src = m.preview || m.thumb || '';
    img.hidden = !(m.preview || m.thumb);
    img.alt = m.caption || '';
    document.getElementById('theme-name').textContent = theme.name;
    document.getElementById('theme-time').textContent = m.time;
    document.getElementById('theme-n').textContent = (step + 1) + ' / ' + ids.length;
    document.getElementById('theme-caption').textContent = m.caption || '';
  }

  function openTheme(i) {
    if (i < 0 || i >= data.themes.length) return;
    open = i; step = 0;
    map.hidden = true; list.hidden = true; panel.hidden = false;
    showMoment();
  }

  document.getElementById('themes-button').addEventListener('click', showMap);
  if (list) list.addEventListener('click', function (e) {
    var b = e.target.closest('[data-theme]');
    if (b) openTheme(parseInt(b.dataset.theme, 10));
  });

  // capture phase on window: runs before present.js's listener, which must not step hidden slides meanwhile
  window.addEventListener('keydown', function (e) {
    var t = e.target;
    if ((t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA')) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 't' || e.key === 'T') { showMap(); e.preventDefault(); e.stopImmediatePropagation(); return; }
    if (view.hidden || !data.themes.length) return;
    var prompt = document.getElementById('prompt');
    if (prompt && !prompt.hidden) return;  // the prompts own the arrows while shown
    var handled = true;
    if (open !== null && (e.key === 'ArrowRight' || e.key === 'PageDown')) { step += 1; showMoment(); }
    else if (open !== null && (e.key === 'ArrowLeft' || e.key === 'PageUp')) { step -= 1; showMoment(); }
    else if (open !== null && e.key === 'Escape') closeTheme();
    else if (/^[1-9]$/.test(e.key)) openTheme(parseInt(e.key, 10) - 1);
    else if (e.key === 'ArrowRight' || e.key === 'ArrowLeft' || e.key === ' ') handled = true;  // nothing to step
    else handled = false;
    if (handled) { e.preventDefault(); e.stopImmediatePropagation(); }
  }, true);
}());
