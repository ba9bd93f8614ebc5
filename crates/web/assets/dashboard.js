/* Dashboard charts (ECharts, embedded). The data comes from the page (data-chart). */
(function () {
  'use strict';
  var box = document.getElementById('charts');
  if (!box || !window.echarts) { return; }
  var data;
  try { data = JSON.parse(box.getAttribute('data-chart')); } catch (e) { return; }
  if (!data) { return; }
  // Every chart leads to the reports behind it: the list of the year and region shown.
  var here = box.getAttribute('data-here') || '';
  function chart(id, option, target) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var c = window.echarts.init(el, null, { renderer: 'canvas' });
    option.animation = false;
    c.setOption(option);
    c.on('click', function (p) {
      var url = target ? target(p) : '/reports?' + here;
      if (url) { window.location.href = url; }
    });
  }
  chart('chart-outcome', {
    title: { text: '申请办理结果', left: 'center', textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'item' },
    series: [{ type: 'pie', radius: ['30%', '60%'], data: data.outcome.filter(function (d) { return d.value > 0; }), label: { fontSize: 11 } }]
  });
  chart('chart-applicants', {
    title: { text: '新收申请按申请人', left: 'center', textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: data.applicants.map(function (d) { return d.name; }), axisLabel: { interval: 0, fontSize: 11 } },
    yAxis: { type: 'value' },
    series: [{ type: 'bar', data: data.applicants.map(function (d) { return d.value; }), itemStyle: { color: '#9b1c1c' } }]
  });
  chart('chart-trend', {
    title: { text: '历年申请数量', left: 'center', textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0, data: ['新收申请', '办理总计'] },
    xAxis: { type: 'category', data: data.trend.years, triggerEvent: true },
    yAxis: { type: 'value' },
    series: [
      { name: '新收申请', type: 'line', data: data.trend.received },
      { name: '办理总计', type: 'line', data: data.trend.processed }
    ]
  }, function (p) {
    var year = p.name || p.value;
    return '/reports?year=' + encodeURIComponent(year) + here.replace(/^year=[^&]*/, '');
  });
  chart('chart-ranked', {
    title: { text: '问题最多的机关', left: 'center', textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0, data: ['错误', '警告'] },
    grid: { left: 160 },
    xAxis: { type: 'value' },
    yAxis: { type: 'category', data: data.ranked.names, axisLabel: { fontSize: 11 } },
    series: [
      { name: '错误', type: 'bar', stack: 'n', data: data.ranked.errors, itemStyle: { color: '#b00020' } },
      { name: '警告', type: 'bar', stack: 'n', data: data.ranked.warnings, itemStyle: { color: '#d89a00' } }
    ]
  }, function (p) {
    var id = data.ranked.ids && data.ranked.ids[p.dataIndex];
    return id ? '/agencies/' + id : null;
  });
})();
