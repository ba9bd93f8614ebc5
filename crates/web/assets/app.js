/* nianbao workbench: shared helpers (ES5, no framework). */
(function () {
  'use strict';
  var main = document.getElementsByTagName('main')[0];
  window.nianbao = {
    csrf: main ? main.getAttribute('data-csrf') : ''
  };
})();
