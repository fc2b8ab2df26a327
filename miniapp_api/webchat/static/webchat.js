// Web chat: talks to the API's chat endpoints (same origin). No framework, no inline script:
// the page's Content Security Policy allows only this file. Texts come from the page's
// messages (rendered from locales/ by the server); replies are inserted as text, never HTML.
(function () {
  "use strict";

  var STORE = { token: "webchat.token", lang: "webchat.lang", chosen: "webchat.lang.chosen" };
  var messages = JSON.parse(document.getElementById("webchat-messages").textContent);
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var sendButton = document.getElementById("send");
  var statusLine = document.getElementById("status");
  var locateButton = document.getElementById("locate");
  var langButton = document.getElementById("lang-switch");
  var quick = document.getElementById("quick");

  var lang = read(STORE.lang) || document.body.getAttribute("data-locale") || "zh_CN";
  if (!messages[lang]) { lang = "zh_CN"; }
  var locationShared = null;
  var busy = false;

  function read(key) { try { return window.localStorage.getItem(key); } catch (e) { return null; } }
  function write(key, value) {
    try {
      if (value === null) { window.localStorage.removeItem(key); }
      else { window.localStorage.setItem(key, value); }
    } catch (e) { /* private mode: the conversation lasts as long as the page */ }
  }
  function t(name) { return messages[lang][name] || name; }
  function otherLang() { return lang === "zh_CN" ? "en" : "zh_CN"; }

  // --- page texts ------------------------------------------------------------------------
  function applyTexts() {
    document.documentElement.lang = lang.replace("_", "-");
    document.title = t("title");
    document.body.setAttribute("data-locale", lang);
    each("[data-t]", function (el) { el.textContent = t(el.getAttribute("data-t")); });
    each("[data-t-label]", function (el) { el.setAttribute("aria-label", t(el.getAttribute("data-t-label"))); });
    each("[data-t-title]", function (el) { el.setAttribute("title", t(el.getAttribute("data-t-title"))); });
    each("[data-t-placeholder]", function (el) { el.setAttribute("placeholder", t(el.getAttribute("data-t-placeholder"))); });
    langButton.setAttribute("lang", otherLang().replace("_", "-"));
  }
  function each(selector, fn) { Array.prototype.forEach.call(document.querySelectorAll(selector), fn); }

  // --- the API -----------------------------------------------------------------------------
  function call(method, path, body) {
    var headers = { "Accept": "application/json", "X-Lang": lang };
    var token = read(STORE.token);
    if (token) { headers["Authorization"] = "Bearer " + token; }
    if (body) { headers["Content-Type"] = "application/json"; }
    return fetch(path, { method: method, headers: headers, credentials: "omit",
                         body: body ? JSON.stringify(body) : undefined })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (envelope) {
          return { status: response.status, envelope: envelope };
        });
      });
  }

  function ensureSession() {
    if (read(STORE.token)) { return Promise.resolve(); }
    return call("POST", "/api/v1/chat/session").then(function (answer) {
      if (answer.status !== 201) { throw answer; }
      write(STORE.token, answer.envelope.data.token);
    });
  }

  // A session that has expired or was refused is replaced by a new one, once.
  function withSession(request) {
    return ensureSession().then(request).then(function (answer) {
      if (answer.status !== 401) { return answer; }
      write(STORE.token, null);
      return ensureSession().then(request);
    });
  }

  // --- the conversation ----------------------------------------------------------------
  function addTurn(role, text, buttons) {
    var item = document.createElement("li");
    item.className = "turn " + (role === "citizen" ? "me" : "bot");
    var who = document.createElement("span");
    who.className = "who visually-hidden";
    who.setAttribute("data-t", role === "citizen" ? "you" : "assistant");
    who.textContent = t(role === "citizen" ? "you" : "assistant");
    item.appendChild(who);
    if (text) {
      var bubble = document.createElement("p");
      bubble.className = "bubble";
      bubble.textContent = text;
      item.appendChild(bubble);
    }
    if (buttons && buttons.length) {
      var group = document.createElement("div");
      group.className = "buttons";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", t("options"));
      buttons.forEach(function (button) {
        var option = document.createElement("button");
        option.type = "button";
        option.className = "option";
        option.textContent = button.title;
        option.addEventListener("click", function () { send({ payload: button.payload, title: button.title }); });
        group.appendChild(option);
      });
      item.appendChild(group);
    }
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function setStatus(text, isError) {
    statusLine.textContent = text || "";
    statusLine.className = "status" + (isError ? " error" : "");
  }

  function setBusy(value) {
    busy = value;
    sendButton.disabled = value;
    log.setAttribute("aria-busy", value ? "true" : "false");
  }

  function send(message) {
    if (busy) { return; }
    var shown = message.text || message.title || message.payload;
    addTurn("citizen", shown);
    setBusy(true);
    setStatus(t("sending"));
    // The page's language is a default (the citizen's own writing comes first) until the
    // citizen presses the language button: then it is their choice.
    var body = {};
    body[read(STORE.chosen) ? "lang" : "interface_lang"] = lang;
    if (message.text) { body.text = message.text; }
    else { body.payload = message.payload; if (message.title) { body.title = message.title; } }
    if (locationShared) { body.location = locationShared; }
    withSession(function () { return call("POST", "/api/v1/chat", body); })
      .then(function (answer) {
        if (answer.status !== 200) {
          setStatus((answer.envelope && answer.envelope.errmsg) || t("network_error"), true);
          return;
        }
        var data = answer.envelope.data;
        data.replies.forEach(function (reply) { addTurn("bot", reply.text, reply.buttons); });
        // Handed over to staff: the assistant is silent until they close the ticket.
        setStatus(data.handoff ? t("handed_over").replace("{number}", data.handoff.number) : "");
      })
      .catch(function () { setStatus(t("network_error"), true); })
      .then(function () { setBusy(false); input.focus(); });
  }

  function loadHistory() {
    if (!read(STORE.token)) { return; }
    call("GET", "/api/v1/chat/history").then(function (answer) {
      if (answer.status === 401) { write(STORE.token, null); return; }
      if (answer.status !== 200) { return; }
      answer.envelope.data.turns.forEach(function (turn) {
        addTurn(turn.role, turn.text, turn.buttons);
      });
    }).catch(function () { /* the history is a convenience; chatting still works */ });
  }

  // --- controls ------------------------------------------------------------------------
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { input.focus(); return; }
    input.value = "";
    send({ text: text });
  });

  quick.addEventListener("click", function (event) {
    var chip = event.target.closest("[data-payload]");
    if (chip) { send({ payload: chip.getAttribute("data-payload"), title: chip.textContent }); }
  });

  langButton.addEventListener("click", function () {
    lang = otherLang();
    write(STORE.lang, lang);
    write(STORE.chosen, "1");
    applyTexts();
    setStatus("");
  });

  locateButton.addEventListener("click", function () {
    if (locationShared) {
      locationShared = null;
      locateButton.setAttribute("aria-pressed", "false");
      setStatus("");
      return;
    }
    if (!navigator.geolocation) { setStatus(t("location_failed"), true); return; }
    navigator.geolocation.getCurrentPosition(function (position) {
      locationShared = { latitude: position.coords.latitude, longitude: position.coords.longitude,
                         accuracy: position.coords.accuracy };
      locateButton.setAttribute("aria-pressed", "true");
      setStatus(t("location_shared"));
    }, function () {
      setStatus(t("location_failed"), true);
    }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 });
  });

  applyTexts();
  loadHistory();
})();
