/* Upload page: drag and drop many files, one request per file with a progress bar and the
   result of each; the form still works without this script. */
(function () {
  'use strict';
  var form = document.getElementById('upload-form');
  var drop = document.getElementById('drop');
  var input = document.getElementById('files');
  var list = document.getElementById('progress');
  if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
  var csrf = window.nianbao.csrf;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text) { e.appendChild(document.createTextNode(text)); }
    return e;
  }
  function showResult(li, data) {
    var results = (data && data.results) || [];
    for (var i = 0; i < results.length; i++) {
      var r = results[i];
      var p = el('div', r.ok ? '' : 'err', r.message);
      for (var k = 0; k < r.reports.length; k++) {
        var rep = r.reports[k];
        var line = el('div');
        var label = rep.agency + (rep.year ? ' ' + rep.year + ' 年' : '');
        if (rep.visible) {
          var a = el('a', 'report-link', label);
          a.href = '/reports/' + rep.id;
          line.appendChild(a);
        } else {
          line.appendChild(document.createTextNode(label + '（不在您负责的区域内）'));
        }
        line.appendChild(el('span', 'count err', ' ' + rep.errors + ' 错误'));
        line.appendChild(el('span', 'count warn', ' ' + rep.warnings + ' 警告'));
        p.appendChild(line);
      }
      li.appendChild(p);
    }
  }
  function send(file, done) {
    var li = el('li', 'pending', file.name);
    var bar = el('span', 'bar');
    var fill = el('span');
    bar.appendChild(fill);
    li.appendChild(bar);
    list.appendChild(li);
    if (file.size > 20 * 1024 * 1024) {
      li.appendChild(el('div', 'err', '文件超过 20 MB，未上传'));
      done();
      return;
    }
    var fd = new FormData();
    fd.append('csrf', csrf);
    fd.append('files', file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open('POST', '/upload');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('X-CSRF-Token', csrf);
    if (xhr.upload) {
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) { fill.style.width = Math.round(e.loaded * 100 / e.total) + '%'; }
      };
    }
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) { return; }
      fill.style.width = '100%';
      li.className = 'done';
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (err) { data = null; }
      if (xhr.status === 200 && data) {
        showResult(li, data);
      } else {
        li.appendChild(el('div', 'err', '上传失败（' + xhr.status + '）' + (data && data.error ? '：' + data.error : '')));
      }
      done();
    };
    xhr.send(fd);
  }
  function sendAll(files) {
    var i = 0;
    function next() {
      if (i < files.length) { send(files[i++], next); }
    }
    next();
  }
  drop.ondragover = function (e) { e.preventDefault(); drop.className = 'drop over'; };
  drop.ondragleave = function () { drop.className = 'drop'; };
  drop.ondrop = function (e) {
    e.preventDefault();
    drop.className = 'drop';
    if (e.dataTransfer && e.dataTransfer.files) { sendAll(e.dataTransfer.files); }
  };
  input.onchange = function () {
    if (input.files && input.files.length) {
      var files = [];
      for (var i = 0; i < input.files.length; i++) { files.push(input.files[i]); }
      sendAll(files);
      input.value = '';
    }
  };
})();
