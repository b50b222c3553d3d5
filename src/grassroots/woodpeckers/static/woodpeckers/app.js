// 啄木鸟随手拍: photo → the phone's location → one tap on a category. Every report is first saved in
// the phone (IndexedDB) with a key made here, shown as "待发送", and sent when there is a connection;
// the server answers a resend with the same case, so nothing is ever reported twice.
(function () {
  "use strict";
  var root = document.getElementById("wp-app");
  if (!root) return;
  var API = root.dataset.api;
  var LABELS = JSON.parse(root.dataset.labels || "{}");
  var STATE = {waiting: "待发送", sending: "发送中…", sent: "已发送", failed: "未能上报"};
  var fix = null, photo = null, photoAt = null, sending = false, dbPromise = null;

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.dataset.sw, {scope: root.dataset.scope}).catch(function () {});
  }

  // --- storage ------------------------------------------------------------------------------------
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var open = indexedDB.open("grassroots-woodpecker", 1);
        open.onupgradeneeded = function () { open.result.createObjectStore("reports", {keyPath: "key"}); };
        open.onsuccess = function () { resolve(open.result); };
        open.onerror = function () { reject(open.error); };
      });
    }
    return dbPromise;
  }
  function tx(mode, work) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction("reports", mode), store = t.objectStore("reports"), out = work(store);
        t.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : out); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  var all = function () { return tx("readonly", function (s) { return s.getAll(); }); };
  var put = function (r) { return tx("readwrite", function (s) { s.put(r); }); };
  var drop = function (key) { return tx("readwrite", function (s) { s.delete(key); }); };

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  // --- the connection and the location ---------------------------------------------------------------
  var net = document.getElementById("wp-net");
  function showNet() {
    net.textContent = navigator.onLine ? "在线" : "无信号：上报先存在手机里";
    net.className = "net " + (navigator.onLine ? "online" : "offline");
  }
  window.addEventListener("online", function () { showNet(); send(); });
  window.addEventListener("offline", showNet);
  showNet();

  var loc = document.getElementById("wp-loc");
  if (loc && navigator.geolocation) {
    navigator.geolocation.watchPosition(function (p) {
      fix = {lat: p.coords.latitude, lng: p.coords.longitude, accuracy: p.coords.accuracy};
      loc.textContent = "已定位（误差约 " + Math.round(p.coords.accuracy || 0) + " 米）";
      loc.className = "hint ok";
    }, function () {
      loc.textContent = "无法定位：请允许使用位置；也可用带位置信息的照片";
      loc.className = "hint bad";
    }, {enableHighAccuracy: true, maximumAge: 60000, timeout: 20000});
  } else if (loc) {
    loc.textContent = "此浏览器不能定位：将使用照片里的位置信息";
  }

  // --- taking the photo and the one tap ----------------------------------------------------------------
  var input = document.getElementById("wp-photo");
  var step2 = document.getElementById("wp-step2");
  var preview = document.getElementById("wp-preview");
  var shoot = document.getElementById("wp-shoot");
  function reset() {
    photo = null; input.value = ""; step2.hidden = true; shoot.hidden = false;
    var note = document.getElementById("wp-note"); if (note) note.value = "";
  }
  if (input) {
    input.addEventListener("change", function () {
      if (!input.files || !input.files[0]) return;
      photo = input.files[0]; photoAt = new Date();
      preview.src = URL.createObjectURL(photo);
      step2.hidden = false; shoot.hidden = true;
    });
    document.getElementById("wp-retake").addEventListener("click", reset);
    step2.addEventListener("click", function (e) {
      var tile = e.target.closest(".wp-tile");
      if (!tile || !photo) return;
      var record = {
        key: newKey(), category: tile.dataset.category, note: document.getElementById("wp-note").value.trim(),
        lat: fix ? String(fix.lat) : "", lng: fix ? String(fix.lng) : "", taken_at: photoAt.toISOString(),
        photo: photo, name: photo.name || "photo.jpg", state: "waiting", error: "", created: Date.now()
      };
      reset();
      put(record).then(render).then(send);
    });
  }

  // --- the queue ---------------------------------------------------------------------------------------
  var list = document.getElementById("wp-outbox");
  function render() {
    if (!list) return Promise.resolve();
    return all().then(function (rows) {
      rows.sort(function (a, b) { return b.created - a.created; });
      document.getElementById("wp-outbox-panel").hidden = rows.length === 0;
      list.innerHTML = "";
      rows.forEach(function (r) {
        var li = document.createElement("li");
        li.className = "wp-item state-" + r.state;
        li.dataset.key = r.key;
        var when = new Date(r.created);
        var text = (LABELS[r.category] || r.category) + " · " + ("0" + when.getHours()).slice(-2) + ":" +
          ("0" + when.getMinutes()).slice(-2);
        var strong = document.createElement("strong"); strong.textContent = text; li.appendChild(strong);
        var state = document.createElement("span"); state.className = "badge wp-state"; state.textContent = STATE[r.state];
        li.appendChild(state);
        if (r.state === "sent" && r.result) {
          var done = document.createElement("div"); done.className = "small muted";
          done.textContent = "诉求编号 " + r.result.case + (r.result.created ? "" : "（此前已收到）");
          li.appendChild(done);
        }
        if (r.state === "failed") {
          var why = document.createElement("div"); why.className = "field-error"; why.textContent = r.error;
          var del = document.createElement("button"); del.type = "button"; del.className = "link"; del.textContent = "删除";
          del.addEventListener("click", function () { drop(r.key).then(render); });
          li.appendChild(why); li.appendChild(del);
        }
        list.appendChild(li);
      });
    });
  }

  function sendOne(r) {
    var body = new FormData();
    ["key", "category", "note", "lat", "lng", "taken_at"].forEach(function (k) { body.append(k, r[k]); });
    body.append("photo", r.photo, r.name);
    return fetch(API, {method: "POST", body: body, credentials: "same-origin", headers: {"X-CSRFToken": csrf()}})
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.status === 200 || response.status === 201) {
            r.state = "sent"; r.result = data; r.photo = null;
          } else if (response.status === 401 || response.status === 403 && /登录|CSRF/i.test(data.detail || "")) {
            r.state = "waiting"; r.error = "登录已过期：请重新登录，上报会保留";
            throw new Error("signed out");
          } else {
            r.state = "failed"; r.error = data.detail || ("上报失败（" + response.status + "）");
          }
          return put(r);
        });
      });
  }

  function send() {
    if (sending || !navigator.onLine) return Promise.resolve();
    sending = true;
    return all().then(function (rows) {
      var waiting = rows.filter(function (r) { return r.state === "waiting" || r.state === "sending"; });
      var chain = Promise.resolve();
      waiting.forEach(function (r) { chain = chain.then(function () { return sendOne(r); }); });
      return chain;
    }).catch(function () { /* no connection after all: the reports stay queued */ })
      .then(function () { sending = false; return prune(); }).then(render);
  }

  function prune() {  // keep the ten latest sent reports on the phone, for the record
    return all().then(function (rows) {
      var sent = rows.filter(function (r) { return r.state === "sent"; }).sort(function (a, b) { return b.created - a.created; });
      return Promise.all(sent.slice(10).map(function (r) { return drop(r.key); }));
    });
  }

  render().then(send);
  setInterval(send, 20000);
})();
