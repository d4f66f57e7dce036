// The dashboard page: polls the JSON document (api/metrics) every refresh interval, shows the
// latest figures, draws the history as uPlot charts and fills the operator and health tables.
// Text from the pipeline (names, details) goes in through textContent only.
(function () {
  'use strict';
  var state = { charts: {}, polls: 0, failures: 0, last: null };
  window.nipDashboard = state;

  var CHARTS = [
    { id: 'throughput', title: 'Throughput (records/s)', series: [['inPerSecond', 'in', '#2563eb'], ['outPerSecond', 'out', '#16a34a']] },
    { id: 'latency', title: 'End-to-end latency', series: [['latencyP50Ms', 'p50', '#7c3aed'], ['latencyP99Ms', 'p99', '#dc2626']], axis: 'duration' },
    { id: 'errors', title: 'Error rate (%)', series: [['errorRate', 'error rate', '#dc2626']], factor: 100 },
    { id: 'lag', title: 'Consumer lag (records, max partition)', series: [['consumerLag', 'lag', '#ea580c']] },
    { id: 'buffer', title: 'Buffer utilization (%, fullest)', series: [['bufferUtilization', 'utilization', '#0891b2']], factor: 100 },
    { id: 'windows', title: 'Window output rate (results/s)', series: [['windowOutPerSecond', 'results/s', '#65a30d']] }
  ];
  var HEIGHT = 170;

  function byId(id) { return document.getElementById(id); }

  function number(v, digits) {
    return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  var fmt = {
    count: function (v) { return v == null ? '—' : number(Math.round(v), 0); },
    rate: function (v) { return v == null ? '—' : number(v, v < 100 ? 1 : 0); },
    percent: function (v) { return v == null ? '—' : number(v * 100, 2); },
    // a duration in milliseconds in the unit that suits it: [text, unit]
    duration: function (ms) {
      if (ms == null) { return ['—', 'ms']; }
      var a = Math.abs(ms);
      if (a < 1000) { return [number(ms, a < 10 ? 2 : 1), 'ms']; }
      if (a < 60000) { return [number(ms / 1000, 2), 's']; }
      if (a < 3600000) { return [number(ms / 60000, 2), 'min']; }
      if (a < 172800000) { return [number(ms / 3600000, 2), 'h']; }
      return [number(ms / 86400000, 1), 'd'];
    },
    durationText: function (ms) { var d = fmt.duration(ms); return ms == null ? d[0] : d[0] + ' ' + d[1]; }
  };
  var compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
  function axisValues(kind) {
    return function (u, splits) {
      return splits.map(function (v) {
        if (v == null) { return ''; }
        if (kind === 'duration') { var d = fmt.duration(v); return d[0].replace(/\.0+$/, '') + ' ' + d[1]; }
        return Math.abs(v) >= 10000 ? compact.format(v) : number(v, v % 1 === 0 ? 0 : 1);
      });
    };
  }

  function setText(id, text) { var e = byId(id); if (e.textContent !== text) { e.textContent = text; } }

  function setDuration(id, ms) {
    var d = fmt.duration(ms);
    setText(id, d[0]);
    setText(id + '-unit', d[1]);
  }

  function makeCharts() {
    var box = byId('charts');
    CHARTS.forEach(function (c) {
      var div = document.createElement('div');
      div.className = 'chart';
      div.id = 'chart-' + c.id;
      var h = document.createElement('h3');
      h.textContent = c.title;
      div.appendChild(h);
      box.appendChild(div);
      var series = [{}].concat(c.series.map(function (s) {
        return { label: s[1], stroke: s[2], width: 2, fill: s[2] + '1a', points: { show: false } };
      }));
      var opts = {
        width: Math.max(200, div.clientWidth - 20), height: HEIGHT, series: series,
        scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } } },
        axes: [{ grid: { stroke: '#eef0f3' } }, { size: 64, grid: { stroke: '#eef0f3' }, values: axisValues(c.axis) }],
        legend: { live: false }, cursor: { drag: { x: false, y: false } }
      };
      var data = [[]].concat(c.series.map(function () { return []; }));
      var chart = new uPlot(opts, data, div);
      state.charts[c.id] = { chart: chart, spec: c, element: div };
    });
    window.addEventListener('resize', function () {
      Object.keys(state.charts).forEach(function (k) {
        var c = state.charts[k];
        c.chart.setSize({ width: Math.max(200, c.element.clientWidth - 20), height: HEIGHT });
      });
    });
  }

  function updateCharts(history) {
    Object.keys(state.charts).forEach(function (k) {
      var c = state.charts[k];
      var data = [history.time.slice()];
      c.spec.series.forEach(function (s) {
        var f = c.spec.factor || 1;
        data.push(history[s[0]].map(function (v) { return v == null ? null : v * f; }));
      });
      c.chart.setData(data);
    });
  }

  function updateTiles(cur) {
    cur = cur || {};
    setText('in-rate', fmt.rate(cur.inPerSecond));
    setText('out-rate', fmt.rate(cur.outPerSecond));
    setText('records-in', fmt.count(cur.recordsIn));
    setText('records-out', fmt.count(cur.recordsOut));
    setDuration('latency-p50', cur.latencyP50Ms);
    setDuration('latency-p99', cur.latencyP99Ms);
    setText('latency-p999', fmt.durationText(cur.latencyP999Ms));
    setText('processing-p50', fmt.durationText(cur.processingP50Ms));
    setText('error-rate', fmt.percent(cur.errorRate));
    setText('errors-total', fmt.count(cur.errors));
    setText('consumer-lag', fmt.count(cur.consumerLag));
    setText('watermark-lag', fmt.durationText(cur.watermarkLagMs));
    setText('buffer-utilization', fmt.percent(cur.bufferUtilization));
    setText('dropped', fmt.count(cur.dropped));
    setText('window-rate', fmt.rate(cur.windowOutPerSecond));
    setText('windows-out', fmt.count(cur.windowsOut));
    setText('late-events', fmt.count(cur.lateEvents));
  }

  function cell(tr, text, cls) {
    var td = document.createElement('td');
    td.textContent = text;
    if (cls) { td.className = cls; }
    tr.appendChild(td);
  }

  function updateOperators(rows, operatorMeters) {
    var body = byId('operators').tBodies[0];
    var fresh = document.createElement('tbody');
    rows.forEach(function (r) {
      var tr = document.createElement('tr');
      tr.setAttribute('data-kind', r.kind);
      tr.setAttribute('data-name', r.name);
      cell(tr, r.kind);
      cell(tr, r.pipeline || '');
      cell(tr, r.name);
      cell(tr, fmt.count(r['in']), 'num in');
      cell(tr, fmt.rate(r.inPerSecond), 'num in-rate');
      cell(tr, fmt.count(r.out), 'num out');
      cell(tr, fmt.rate(r.outPerSecond), 'num out-rate');
      cell(tr, fmt.count(r.errors), 'num errors');
      cell(tr, fmt.durationText(r.processingMeanMs), 'num processing-mean');
      cell(tr, fmt.durationText(r.processingP99Ms), 'num processing-p99');
      cell(tr, fmt.durationText(r.latencyP99Ms), 'num latency-p99');
      var other = r.other || {};
      if (r.late != null) { other = Object.assign({ late_events: r.late }, other); }
      cell(tr, Object.keys(other).map(function (k) { return k + ' ' + fmt.count(other[k]); }).join(' · '), 'other');
      fresh.appendChild(tr);
    });
    body.parentNode.replaceChild(fresh, body);
    byId('operators-note').hidden = !!operatorMeters;
  }

  function updateHealth(health) {
    var badge = byId('health-status');
    var status = health ? health.status : 'NO MONITOR';
    badge.textContent = status;
    badge.setAttribute('data-status', health ? health.status : 'UNKNOWN');
    badge.title = health && health.detail ? health.detail : '';
    var body = byId('checks').tBodies[0];
    var fresh = document.createElement('tbody');
    var checks = health && health.checks ? health.checks : {};
    Object.keys(checks).forEach(function (name) {
      var tr = document.createElement('tr');
      cell(tr, name);
      cell(tr, checks[name].status, 'status-' + checks[name].status);
      cell(tr, checks[name].detail || '');
      fresh.appendChild(tr);
    });
    body.parentNode.replaceChild(fresh, body);
    byId('checks-note').hidden = !!health;
  }

  function render(doc) {
    state.last = doc;
    updateTiles(doc.current);
    updateCharts(doc.history);
    updateOperators(doc.operators || [], doc.operatorMeters);
    updateHealth(doc.health);
    var at = byId('updated-at');
    at.setAttribute('data-at', String(doc.at));
    at.textContent = new Date(doc.at).toLocaleTimeString('en-GB');
    setText('source', doc.source ? 'from ' + doc.source : '');
    showError(doc.error ? doc.error : null);
  }

  function showError(text) {
    var e = byId('error');
    e.hidden = !text;
    e.textContent = text || '';
  }

  function poll() {
    fetch('api/metrics', { cache: 'no-store' })
      .then(function (r) {
        if (!r.ok) { throw new Error('HTTP ' + r.status); }
        return r.json();
      })
      .then(function (doc) {
        state.polls++;
        render(doc);
        setTimeout(poll, doc.refreshMillis || 1000);
      })
      .catch(function (err) {
        state.failures++;
        showError('cannot reach the dashboard\u2019s server: ' + err.message);
        setTimeout(poll, 2000);
      });
  }

  makeCharts();
  poll();
})();
