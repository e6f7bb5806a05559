// The two plain pages' own code, as plain JavaScript for a classic script: no build step, no module.
// It asks the demo's backend where the flow lives, then shows the element, and logs every event of it
// the way the other demo pages do (#event-log, newest first; #flow-state).
(function () {
  'use strict';

  var EVENTS = ['state-change', 'session-created', 'flow-loaded', 'flow-message', 'finished', 'cancelled', 'flow-error'];
  var flow = document.getElementById('flow');
  var panel = document.getElementById('flow-panel');
  var state = document.getElementById('flow-state');
  var log = document.getElementById('event-log');
  var note = document.getElementById('backend-note');

  function toJson(value) {
    return JSON.stringify(value, function (_key, item) {
      return item instanceof Error ? { name: item.name, message: item.message } : item;
    });
  }

  EVENTS.forEach(function (name) {
    flow.addEventListener(name, function (event) {
      if (name === 'state-change') state.textContent = event.detail.state;
      var item = document.createElement('li');
      item.setAttribute('data-event', name);
      var title = document.createElement('strong');
      title.textContent = name;
      var detail = document.createElement('code');
      detail.className = 'log-detail';
      detail.textContent = toJson(event.detail);
      item.append(title, ' ', detail);
      log.prepend(item);
    });
  });

  // Sent with the session request: the demo's backend picks the flow of this preset.
  flow.context = { preset: 'default' };

  fetch('/api/config')
    .then(function (response) {
      if (!response.ok) throw new Error('/api/config answered ' + response.status);
      return response.json();
    })
    .then(function (config) {
      // Only with the emulator; with a real key the element's default (the vendor's flow) applies.
      if (config.flowBaseUrl) flow.setAttribute('flow-base-url', config.flowBaseUrl);
      note.textContent = config.backend === 'emulator' ? 'Backend: the local emulator.' : 'Backend: the vendor.';
      panel.hidden = false;
    })
    .catch(function (error) {
      note.textContent = String(error);
      note.setAttribute('role', 'alert');
    });
})();
