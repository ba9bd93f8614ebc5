/* Register: the event form shows only the fields the chosen kind of event needs. Without
   scripts every field is shown, each label saying when it applies. */
(function () {
  'use strict';
  var form = document.getElementById('event-form');
  if (!form) { return; }
  var kind = form.querySelector('select[name=kind]');
  function update() {
    var k = kind.value;
    var parts = form.querySelectorAll('[data-for]');
    for (var i = 0; i < parts.length; i++) {
      var list = ' ' + parts[i].getAttribute('data-for') + ' ';
      parts[i].style.display = (k && list.indexOf(' ' + k + ' ') >= 0) ? '' : 'none';
    }
  }
  kind.addEventListener('change', update);
  update();
}());
