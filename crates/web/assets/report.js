/* Report page: clicking a finding marks its cells and source line and scrolls to them. */
(function () {
  'use strict';
  function byId(id) { return document.getElementById(id); }
  function clearFocus() {
    var old = document.querySelectorAll('.focus, li.finding.active');
    for (var i = 0; i < old.length; i++) {
      old[i].className = old[i].className.replace(/\s*\b(focus|active)\b/g, '');
    }
  }
  function activate(li, scroll) {
    clearFocus();
    li.className += ' active';
    var cells = (li.getAttribute('data-cells') || '').split(' ');
    var first = null;
    for (var i = 0; i < cells.length; i++) {
      var c = cells[i] && byId(cells[i]);
      if (c) { c.className += ' focus'; if (!first) { first = c; } }
    }
    var line = li.getAttribute('data-line');
    var l = line && byId('L' + line);
    if (!l && first && first.getAttribute('data-line')) { l = byId('L' + first.getAttribute('data-line')); }
    if (l) {
      l.className += ' focus';
      var pre = byId('source');
      if (pre) { pre.scrollTop = l.offsetTop - pre.offsetTop - 40; }
    }
    // Centred, so the focus ring and the column headers above stay in sight (older browsers
    // take the object as true: aligned to the top).
    if (scroll && first && first.scrollIntoView) { first.scrollIntoView({ block: 'center' }); }
  }
  var list = byId('findings');
  if (!list) { return; }
  list.onclick = function (e) {
    e = e || window.event;
    var t = e.target || e.srcElement;
    if (t.tagName === 'BUTTON' || t.tagName === 'INPUT') { return; }
    while (t && t !== list && !(t.tagName === 'LI')) { t = t.parentNode; }
    if (t && t !== list) {
      activate(t, true);
      if (e.preventDefault) { e.preventDefault(); } else { e.returnValue = false; }
    }
  };
  var m = /^#f-(\d+)$/.exec(window.location.hash);
  if (m && byId('f-' + m[1])) { activate(byId('f-' + m[1]), false); }
})();

// 全选: ticks every finding for the batch decision.
(function () {
  var all = document.getElementById('select-all');
  if (!all) { return; }
  all.addEventListener('change', function () {
    var picks = document.querySelectorAll('input.pick');
    for (var i = 0; i < picks.length; i++) { picks[i].checked = all.checked; }
  });
})();
