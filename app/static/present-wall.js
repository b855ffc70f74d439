// The live wall: newest moments first, in justified rows (portraits stay portrait) that fill the screen in
// pages; pages rotate calmly. Only the page on screen and the next one are in the DOM, so only their pictures
// are fetched, whatever the project holds. window.DayreelWall.create(...) returns {upsert, count, show, hide}.
(function () {
  'use strict';
  var PAGE_MS = 12000, CALM_PAGE_MS = 20000, FADE_MS = 1500, NEWS_DEBOUNCE_MS = 1500;
  var MIN_AR = 0.56, MAX_AR = 2.0;   // a panorama or a very tall shot gets a sensible tile, cropped a little
  var MAX_STRETCH = 1.35;            // how much a row's tiles may widen to fill the row
  var FAIR_CROP = Math.log(1.45);    // a few moments fill the screen only if no row is cropped more than this
  var THUMB_PX = 480;                // the thumbnail's long side (app/services/derive.py THUMB_PX)

  function clampAr(ar) { return Math.min(MAX_AR, Math.max(MIN_AR, ar || 1.5)); }

  // One row of tiles at height rowH, widened or narrowed together to be exactly `width` wide (so each keeps
  // nearly its picture's shape); `stretch` false leaves a short last row at its natural widths.
  function fillRow(row, y, width, rowH, gap, stretch) {
    var natural = row.reduce(function (sum, m) { return sum + clampAr(m.ar) * rowH; }, 0);
    var room = width - (row.length - 1) * gap;
    var scale = stretch ? room / natural : 1;
    var x = 0;
    return row.map(function (m, k) {
      var w = stretch && k === row.length - 1 ? width - x : clampAr(m.ar) * rowH * scale;
      var tile = {item: m, x: x, y: y, w: Math.max(1, w), h: rowH};
      x += w + gap;
      return tile;
    });
  }

  function rowWidth(box, y) { return y < box.reserveBottom ? box.reserveLeft : box.width; }

  // Pure layout: items (newest first, each with .ar) into pages of `rows` rows of height rowH; rows beside
  // the QR card stop at its left edge.
  function layoutPages(items, box) {
    var pages = [], page = [], i = 0;
    while (i < items.length) {
      var y = page.length * (box.rowH + box.gap), width = rowWidth(box, y);
      var row = [], natural = 0;
      while (i < items.length) {
        var w = clampAr(items[i].ar) * box.rowH;
        var withIt = natural + w + row.length * box.gap;
        // take the item if the row is empty, or if taking it ends closer to the row's width than stopping
        if (row.length && withIt > width && withIt - width > width - (natural + (row.length - 1) * box.gap)) break;
        row.push(items[i]); natural += w; i += 1;
        if (withIt >= width) break;
      }
      var stretch = i < items.length || (width - (row.length - 1) * box.gap) / natural <= MAX_STRETCH;
      page.push(fillRow(row, y, width, box.rowH, box.gap, stretch));
      if (page.length === box.rows) { pages.push(page); page = []; }
    }
    if (page.length || !pages.length) pages.push(page);
    return pages;
  }

  // Few moments: the number of rows that fills the screen best (each row a fair share of the pictures,
  // stretched or cropped least), not three rows of which one stays empty.
  function onePage(items, box) {
    var total = items.reduce(function (sum, m) { return sum + clampAr(m.ar); }, 0);
    var best = null, bestScore = Infinity;
    for (var k = 1; k <= Math.min(box.rows, items.length); k += 1) {
      var rowH = (box.height - (k - 1) * box.gap) / k, page = [], start = 0, acc = 0, score = 0;
      for (var r = 0; r < k; r += 1) {
        var end = start, target = total * (r + 1) / k;
        while (end < items.length && (r === k - 1 || end === start ||
               (acc + clampAr(items[end].ar) / 2 < target && items.length - end > k - r - 1))) {
          acc += clampAr(items[end].ar); end += 1;
        }
        var row = items.slice(start, end), y = r * (rowH + box.gap), width = rowWidth(box, y);
        var natural = row.reduce(function (sum, m) { return sum + clampAr(m.ar) * rowH; }, 0);
        score = Math.max(score, Math.abs(Math.log((width - (row.length - 1) * box.gap) / natural)));
        if (row.length === 1 && k > 1) score = Infinity;  // a lone picture on a row of its own: cropped to a band
        page.push(fillRow(row, y, width, rowH, box.gap, true));
        start = end;
      }
      if (score < bestScore) { bestScore = score; best = [page]; }
    }
    return bestScore <= FAIR_CROP ? best : tallest(items, box);
  }

  // Otherwise the tallest rows that still fit on one screen, centred in its height.
  function tallest(items, box) {
    var low = 0, high = box.height, best = layoutPages(items, box);
    for (var k = 0; k < 16; k += 1) {
      var rowH = (low + high) / 2;
      var trial = layoutPages(items, Object.assign({}, box, {rowH: rowH, rows: 1000}));
      var used = trial[0].length * (rowH + box.gap) - box.gap;
      if (trial.length === 1 && used <= box.height) { best = trial; low = rowH; } else high = rowH;
    }
    var rows = best[0], bottom = rows[rows.length - 1][0].y + rows[rows.length - 1][0].h;
    rows.forEach(function (row) { row.forEach(function (t) { t.y += (box.height - bottom) / 2; }); });
    return best;
  }

  function create(opts) {
    var wall = opts.wall, card = opts.card, words = opts.words;
    var items = [];                // newest first
    var byId = {};
    var pages = [], pageIndex = 0, current = null, next = null;
    var rotateTimer = null, newsTimer = null, visible = false, newestId = null, freshId = null;
    var reduced = window.matchMedia('(prefers-reduced-motion: reduce)');

    function px(name) {
      var v = getComputedStyle(wall).getPropertyValue(name).trim();
      var probe = parseFloat(v);
      if (v.slice(-3) === 'rem') return probe * parseFloat(getComputedStyle(document.documentElement).fontSize);
      return probe;
    }

    function measure() {
      var r = wall.getBoundingClientRect();
      var gap = px('--wall-gap') || 12;
      var rows = Math.max(2, Math.min(6, Math.round((r.height + gap) / ((px('--wall-row') || 280) + gap))));
      var box = {width: r.width, height: r.height, gap: gap, rows: rows,
                 rowH: (r.height - (rows - 1) * gap) / rows, reserveLeft: r.width, reserveBottom: -1};
      var c = card ? card.getBoundingClientRect() : null;  // hidden: a zero box, reserving nothing
      if (c && c.width > 0 && c.bottom > r.top && c.left < r.right) {
        box.reserveLeft = Math.max(0, c.left - r.left - gap);
        box.reserveBottom = c.bottom - r.top;
      }
      return box;
    }

    function pictureUrl(m, w, h) {
      var need = Math.max(w, h) * (window.devicePixelRatio || 1);
      if (m.thumb && (need <= THUMB_PX * 1.35 || !m.preview)) return m.thumb;
      return m.preview || m.thumb;  // a 4K wall: the 1920 px preview, never the original
    }

    function tileEl(t) {
      var m = byId[t.item.id] || t.item;  // the latest copy: a thumbnail may have arrived since the layout
      var li = document.createElement('li');
      li.className = 'tile' + (m.id === newestId ? ' newest' : '') + (m.id === freshId ? ' fresh' : '');
      li.id = 'wall-' + m.id;
      li.dataset.id = m.id;
      li.style.left = t.x + 'px'; li.style.top = t.y + 'px';
      li.style.width = t.w + 'px'; li.style.height = t.h + 'px';
      var fig = document.createElement('figure');
      var src = pictureUrl(m, t.w, t.h);
      if (src) {
        var img = document.createElement('img');
        img.src = src; img.alt = m.caption || ''; img.decoding = 'async';
        fig.appendChild(img);
      } else {
        var ph = document.createElement('div'); ph.className = 'noimg'; fig.appendChild(ph);
      }
      var cap = document.createElement('figcaption');
      var text = document.createElement('span');  // clamped to two lines; the caption band keeps its padding
      var time = document.createElement('strong'); time.textContent = m.time; text.appendChild(time);
      if (m.caption) text.appendChild(document.createTextNode(' ' + m.caption));
      cap.appendChild(text);
      fig.appendChild(cap);
      li.appendChild(fig);
      if (m.id === freshId) {
        var badge = document.createElement('span'); badge.className = 'badge-new'; badge.textContent = words['new'];
        li.appendChild(badge);
      }
      return li;
    }

    function pageEl(n) {
      var ol = document.createElement('ol');
      ol.className = 'wall-page';
      ol.dataset.page = String(n);
      (pages[n] || []).forEach(function (row) { row.forEach(function (t) { ol.appendChild(tileEl(t)); }); });
      return ol;
    }

    // the next page is built (and its pictures fetched) while the current one is on screen, but hidden
    function prepareNext() {
      if (next) { next.remove(); next = null; }
      if (pages.length < 2) return;
      next = pageEl((pageIndex + 1) % pages.length);
      next.classList.add('waiting');
      next.setAttribute('aria-hidden', 'true');
      wall.appendChild(next);
      // decoded now, off the main thread, so the turn's first frame does not wait for its pictures
      next.querySelectorAll('img').forEach(function (img) { if (img.decode) img.decode().catch(function () {}); });
    }

    function fitted(box) {
      var laid = layoutPages(items, box);
      return laid.length > 1 || !items.length ? laid : onePage(items, box);
    }

    function render(startAt) {
      pages = fitted(measure());
      pageIndex = Math.min(startAt, pages.length - 1);
      wall.textContent = '';
      current = pageEl(pageIndex);
      wall.appendChild(current);
      next = null;
      prepareNext();
      wall.dataset.pages = String(pages.length);
      schedule();
    }

    function turn() {
      if (pages.length < 2 || !next) return;
      var old = current;
      current = next; next = null;
      pageIndex = (pageIndex + 1) % pages.length;
      current.removeAttribute('aria-hidden');
      current.classList.remove('waiting');
      old.classList.add('leaving');
      var gone = function () { old.remove(); prepareNext(); };
      if (reduced.matches) gone(); else setTimeout(gone, FADE_MS);
    }

    function schedule() {
      clearInterval(rotateTimer);
      rotateTimer = null;
      if (visible && pages.length > 1) rotateTimer = setInterval(turn, reduced.matches ? CALM_PAGE_MS : PAGE_MS);
    }

    function announce(m) {
      opts.news.textContent = words['new'] + ': ' + m.time + (m.caption ? ' ' + m.caption : '');
    }

    // new moments during a rush: one re-layout per moment of calm, back to the first page where they are
    function showNews() {
      newsTimer = null;
      if (!visible) return;
      render(0);
      if (!reduced.matches) current.classList.add('entering');
    }

    return {
      upsert: function (m, fresh) {
        var known = byId[m.id];
        byId[m.id] = m;
        if (known) {
          items[items.indexOf(known)] = m;
          var el = document.getElementById('wall-' + m.id);
          if (el && el.parentNode) {
            var t = {item: m, x: el.offsetLeft, y: el.offsetTop, w: el.offsetWidth, h: el.offsetHeight};
            if (clampAr(known.ar) === clampAr(m.ar)) el.parentNode.replaceChild(tileEl(t), el);
            else if (!newsTimer) newsTimer = setTimeout(showNews, NEWS_DEBOUNCE_MS);
          }
          return;
        }
        var at = 0;
        while (at < items.length && items[at].id > m.id) at += 1;
        items.splice(at, 0, m);
        if (fresh) {
          newestId = freshId = m.id;
          announce(m);
          if (!newsTimer) newsTimer = setTimeout(showNews, visible ? NEWS_DEBOUNCE_MS : 0);
        }
      },
      load: function (list) {
        list.forEach(function (m) { byId[m.id] = m; });
        items = list.slice().sort(function (a, b) { return b.id - a.id; });
        newestId = items.length ? items[0].id : null;  // outlined; the "New" badge is for arrivals on screen
      },
      count: function () { return items.length; },
      show: function () { visible = true; render(0); },
      hide: function () { visible = false; clearInterval(rotateTimer); wall.textContent = ''; current = next = null; },
      relayout: function () { if (visible) render(pageIndex); },
      // the facilitator's arrow keys: a page on (with the usual fade) or back; the rotation starts over
      step: function (delta) {
        if (!visible || pages.length < 2) return;
        if (delta > 0) turn(); else render((pageIndex - 1 + pages.length) % pages.length);
        schedule();
      },
      layoutPages: layoutPages
    };
  }

  window.DayreelWall = {create: create, layoutPages: layoutPages};
})();
