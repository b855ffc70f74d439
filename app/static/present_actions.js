/* Presentation mode: key A (or the button) opens the actions panel; the room's decisions are saved with
   text, owner and date, and appear in the workshop report. Self-contained beside present.js. */
(function () {
  'use strict';
  var panel = document.getElementById('actions-panel');
  if (!panel) return;
  var form = document.getElementById('action-form');
  var csrf = JSON.parse(document.getElementById('present-data').textContent).csrf;
  var button = document.getElementById('actions-button');

  function toggle(open) {
    panel.hidden = open === undefined ? !panel.hidden : !open;
    if (!panel.hidden) document.getElementById('action-text').focus();
  }

  if (button) button.addEventListener('click', function () { toggle(); });
  window.addEventListener('keydown', function (e) {
    var t = e.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA')) {
      if (e.key === 'Escape' && panel.contains(t)) { t.blur(); toggle(false); e.stopImmediatePropagation(); }
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === 'a' || e.key === 'A') { toggle(); e.preventDefault(); e.stopImmediatePropagation(); }
    else if (e.key === 'Escape' && !panel.hidden) { toggle(false); e.preventDefault(); e.stopImmediatePropagation(); }
  }, true);

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var text = document.getElementById('action-text'), owner = document.getElementById('action-owner');
    var due = document.getElementById('action-due'), status = document.getElementById('action-status');
    fetch(form.dataset.url, {
      method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf},
      body: JSON.stringify({text: text.value, owner: owner.value, due: due.value})
    }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    }).then(function (a) {
      var li = document.createElement('li');
      li.textContent = a.text + (a.owner ? ' · ' + a.owner : '') + (a.due ? ' · ' + a.due : '');
      document.getElementById('actions-list').appendChild(li);
      text.value = ''; owner.value = ''; due.value = ''; status.textContent = '✓'; text.focus();
    }).catch(function () { status.textContent = '!'; });
  });
}());
