// 打卡 before the app has loaded. On a weak signal the page's wasm takes
// seconds to arrive; the server-rendered page already shows the projects
// and their 打卡 buttons, and this small script, inlined in the page by
// CheckinPage (pages.rs), makes them work meanwhile:
// it reads the position and posts the same JSON the app posts to
// /api/checkin. Once the check-in page has hydrated (body[data-page]) it
// stands aside and the app handles every tap. Its message goes into a box
// of its own at the end of <body>, outside what the app renders.
(function () {
  'use strict';
  // Once per document (the app adds the tag again on each visit to the page).
  if (window.bhlyEarlyCheckin) return;
  window.bhlyEarlyCheckin = true;
  var busy = false;

  function hydrated() {
    return document.body.getAttribute('data-page') === 'CheckinPage';
  }

  // The device key the app keeps (gloo-storage writes it as a JSON string).
  function deviceKey() {
    var k = null;
    try {
      k = JSON.parse(localStorage.getItem('bhly_device'));
    } catch (e) {
      k = localStorage.getItem('bhly_device');
    }
    if (typeof k !== 'string' || !/^[0-9a-f]+$/i.test(k)) {
      k = '';
      for (var i = 0; i < 4; i++) {
        k += ('00000000' + Math.floor(Math.random() * 4294967295).toString(16)).slice(-8);
      }
      try { localStorage.setItem('bhly_device', JSON.stringify(k)); } catch (e) { /* private mode */ }
    }
    return k;
  }

  function say(card, text, kind) {
    var box = document.getElementById('checkin-early-msg');
    if (!box) {
      box = document.createElement('div');
      box.id = 'checkin-early-msg';
      box.setAttribute('role', 'status');
      document.body.appendChild(box);
    }
    var title = card.querySelector('h2');
    box.className = 'alert checkin-early alert-' + kind;
    box.textContent = (title ? title.textContent + '：' : '') + text;
  }

  function errorText(body) {
    var fixed = { Unauthenticated: '请先登录', Forbidden: '您无权进行此操作', NotFound: '记录不存在' };
    try {
      var e = JSON.parse(body);
      if (typeof e === 'string') return fixed[e] || '打卡未提交，请重试';
      for (var k in e) {
        var v = e[k];
        return typeof v === 'string' ? v : (v && v.message) || '打卡未提交，请重试';
      }
    } catch (x) { /* not JSON */ }
    return '打卡未提交，请重试';
  }

  function post(card, pos) {
    var body = JSON.stringify({
      filing_id: Number(card.getAttribute('data-filing')),
      lat: pos.coords.latitude,
      lng: pos.coords.longitude,
      accuracy: pos.coords.accuracy,
      device_key: deviceKey()
    });
    say(card, '正在提交…', 'info');
    fetch('/api/checkin', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body
    }).then(function (r) {
      return r.text().then(function (t) {
        busy = false;
        if (!r.ok) return say(card, errorText(t), 'warn');
        var d = JSON.parse(t);
        var at = new Date(d.at).toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
        say(card, d.message + '（服务器时间 ' + at + '）', d.accepted ? 'ok' : 'error');
      });
    }, function () {
      busy = false;
      say(card, '网络异常，打卡未提交，请重试', 'warn');
    });
  }

  document.addEventListener('click', function (ev) {
    var button = ev.target && ev.target.closest && ev.target.closest('.btn-checkin');
    if (!button) return;
    if (hydrated()) {
      // The app answers from now on, beside the button.
      var old = document.getElementById('checkin-early-msg');
      if (old) old.parentNode.removeChild(old);
      return;
    }
    var card = button.closest('.checkin-card');
    if (!card || busy) return;
    ev.preventDefault();
    if (card.querySelector('input[type=file]')) {
      return say(card, '本项目要求拍摄现场照片，页面仍在加载，请稍候再打卡', 'warn');
    }
    if (!window.isSecureContext) {
      return say(card, '当前连接不是 https，浏览器不提供定位。请使用以 https:// 开头的地址打开本页。', 'warn');
    }
    if (!navigator.geolocation) {
      return say(card, '此浏览器不支持定位，请换用系统浏览器或微信打开', 'warn');
    }
    busy = true;
    say(card, '正在获取位置…', 'info');
    navigator.geolocation.getCurrentPosition(
      function (pos) { post(card, pos); },
      function (e) {
        busy = false;
        say(card, e.code === 1
          ? '未获得定位权限：请在浏览器（或微信右上角菜单）的设置中允许本网站使用位置信息，然后重试。'
          : e.code === 3
            ? '定位超时：请到室外开阔处，打开手机 GPS 后重试。'
            : '无法获取位置：请到室外开阔处，打开手机 GPS 后重试。', 'warn');
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 }
    );
  }, true);
})();
