/**
 * The hosted flow's browser script, served inline (with a CSP nonce) by `flow-page.ts`. Plain ES2020,
 * no build step, no template literals (the source is a `String.raw` template, so `${` must not occur).
 *
 * It reads its configuration from `<script type="application/json" id="flow-config">` (no metadata:
 * what a step needs of it — the E-Document fields, `photo1` — comes in the answer to that step's
 * `technology.start`), walks the session's technologies in order, reports each event to the emulator
 * (`POST /flow/:id/events`, which may refuse it), mirrors it to the host window with
 * `postMessage(…, '*')`, and at the end navigates to `/finished` with `location.replace`.
 *
 * Documented ways to fail, for tests and demos:
 * - E-Document: the SMS code `000000` fails the step (`failure_reason: invalid_otp`); any other 6 digits pass.
 * - Every step has an "Emulator: fail this step" button (`#simulate-failure-button`,
 *   `failure_reason: emulated_failure`), and an "Emulator: fail with a vendor error" control
 *   (`select#simulate-vendor-error` + `#simulate-vendor-error-button`, `vendor_error: <name>`): the
 *   session then fails with that vendor text (docs/vendor.md §6).
 * - A camera step whose `getUserMedia` is refused or unavailable fails (`camera_denied` /
 *   `camera_unavailable`).
 * - A flow with `failWith` fails its preset's step though the page passed it: the answer says `success: false`.
 *
 * @module
 */
export const FLOW_PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('flow-config').textContent);
  var t = cfg.texts;
  var techs = cfg.technologies;
  var app = document.getElementById('flow');
  var root = document.getElementById('step-root');
  var indicator = document.getElementById('step-indicator');
  var CAMERA = { LD: true, LDHP: true, LDD: true };
  // edocument, photo1: the session's metadata for a step, from the answer to that step's start.
  var state = {
    index: -1, token: 0, ending: -1, face: null, documentPhoto: null, egovPhoto: null, streams: [],
    edocument: null, photo1: null,
  };
  // Stands for the photo of the ID card E-Document fetches from eGov.
  var EGOV_PHOTO = 'data:image/svg+xml;base64,' + btoa('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 150">' +
    '<rect width="120" height="150" fill="#dfe6ee"/><circle cx="60" cy="58" r="28" fill="#9aa8b8"/>' +
    '<path d="M14 150c6-34 24-50 46-50s40 16 46 50z" fill="#9aa8b8"/></svg>');

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === undefined || value === null || value === false) return;
      if (key === 'text') node.textContent = value;
      else if (key.slice(0, 2) === 'on') node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function fmt(text, vars) {
    return text.replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(vars, key) ? String(vars[key]) : match;
    });
  }

  function setState(name) { app.setAttribute('data-state', name); }

  function hostWindow() {
    if (window.parent && window.parent !== window) return window.parent;
    return window.opener || null;
  }

  // targetOrigin '*': the flow cannot know the host's origin; the host checks origin and source.
  function notify(message) {
    var target = hostWindow();
    if (!target) return;
    try { target.postMessage(message, '*'); } catch (error) { /* a closed opener */ }
  }

  function send(body) {
    body.attempt = cfg.attempt;
    return fetch(cfg.eventsUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (!response.ok) {
          var error = new Error(json.detail || 'HTTP ' + response.status);
          error.code = json.code;
          throw error;
        }
        return json;
      });
    });
  }

  function stopCamera() {
    state.streams.forEach(function (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
    });
    state.streams = [];
  }

  function disableButtons() {
    Array.prototype.forEach.call(root.querySelectorAll('button, input, select'), function (node) { node.disabled = true; });
  }

  function techTexts(code) {
    var known = t.technologies[code];
    if (known) return known;
    return { title: fmt(t.technologies.other.title, { code: code }), instructions: t.technologies.other.instructions };
  }

  function section(code, title, nodes, options) {
    stopCamera();
    var heading = el('h2', { id: 'step-title', tabindex: '-1', text: title });
    var children = [heading].concat(nodes);
    children.push(el('p', { id: 'step-error', class: 'error', role: 'alert' }));
    if (code) {
      children.push(el('button', {
        type: 'button', id: 'simulate-failure-button', class: 'secondary', text: t.simulateFailure,
        onclick: function () {
          finishStep(code, false, { failure_reason: 'emulated_failure', message: t.emulatedFailure });
        },
      }));
      children.push(vendorErrorControl(code));
    }
    var node = el('section', { id: 'step', 'data-technology': code || null, 'aria-labelledby': 'step-title' }, children);
    root.replaceChildren(node);
    // Not on first render: focusing inside a frame the user has not touched would pull focus (and
    // scrolling) away from the host page. Never scrolling: a focus inside a frame also scrolls the pages
    // around it, and a host page that moved by itself when a step began (its heading above the page's
    // viewport) was one of issue 13's faults.
    if (!(options && options.initial)) heading.focus({ preventScroll: true });
    return node;
  }

  // The vendor's raw texts, as its API sends them: the emulator shows them untranslated on purpose.
  function vendorErrorControl(code) {
    var select = el('select', { id: 'simulate-vendor-error', name: 'vendor_error' }, cfg.vendorErrors.map(function (error) {
      return el('option', { value: error.name, text: error.status + ' ' + error.text });
    }));
    var button = el('button', {
      type: 'button', id: 'simulate-vendor-error-button', class: 'secondary', text: t.simulateVendorErrorButton,
      onclick: function () {
        var chosen = cfg.vendorErrors.filter(function (error) { return error.name === select.value; })[0];
        if (!chosen) return;
        finishStep(code, false, { vendor_error: chosen.name, message: fmt(t.vendorErrorFailure, { text: chosen.text }) });
      },
    });
    return el('div', { class: 'field', id: 'simulate-vendor-error-field' }, [
      el('label', { for: 'simulate-vendor-error', text: t.simulateVendorError }), select, button,
    ]);
  }

  function showStepError(text) {
    var box = document.getElementById('step-error');
    if (box) box.textContent = text;
  }

  // A camera preview with a capture button; calls onCapture(dataUrl) or onError(reason, message).
  function cameraCapture(opts) {
    var token = state.token;
    var video = el('video', { id: opts.videoId, autoplay: true, playsinline: true, muted: true, 'aria-label': opts.label });
    video.muted = true;
    var status = el('p', { id: opts.statusId, role: 'status', class: 'hint', text: t.cameraRequesting });
    var button = el('button', { type: 'button', id: opts.buttonId, disabled: true, text: opts.buttonText });
    var ready = function () {
      if (token !== state.token) return;
      button.disabled = false;
      status.textContent = t.cameraReady;
    };
    var failed = function (reason) {
      if (token !== state.token) return;
      var message = reason === 'camera_denied' ? t.cameraDenied : t.cameraUnavailable;
      status.textContent = '';
      opts.onError(reason, message);
    };
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      setTimeout(function () { failed('camera_unavailable'); }, 0);
    } else {
      navigator.mediaDevices.getUserMedia({ video: true }).then(function (stream) {
        if (token !== state.token) {
          stream.getTracks().forEach(function (track) { track.stop(); });
          return;
        }
        state.streams.push(stream);
        video.srcObject = stream;
        if (video.readyState >= 2) ready();
        video.addEventListener('loadeddata', ready, { once: true });
        video.addEventListener('playing', ready, { once: true });
        var playing = video.play();
        if (playing && playing.catch) playing.catch(function () {});
      }, function (error) {
        var name = error && error.name;
        failed(name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError'
          ? 'camera_denied' : 'camera_unavailable');
      });
    }
    button.addEventListener('click', function () {
      if (button.disabled) return;
      button.disabled = true;
      var width = video.videoWidth || 640;
      var height = video.videoHeight || 480;
      var canvas = el('canvas', { width: width, height: height });
      canvas.getContext('2d').drawImage(video, 0, 0, width, height);
      var data = canvas.toDataURL('image/jpeg', 0.85);
      stopCamera();
      opts.onCapture(data);
    });
    return [video, status, button];
  }

  // A document photo by camera or file; calls onPhoto(dataUrl). A camera problem here is not fatal.
  function documentPhoto(onPhoto) {
    var token = state.token;
    var cameraArea = el('div', { id: 'document-camera-area' });
    var cameraButton = el('button', {
      type: 'button', id: 'document-camera-button', text: t.documentCamera,
      onclick: function () {
        cameraButton.remove();
        cameraCapture({
          videoId: 'document-preview', statusId: 'document-camera-status', buttonId: 'document-capture-button',
          buttonText: t.documentCapture, label: t.documentPreview,
          onCapture: onPhoto,
          onError: function (reason, message) { showStepError(message); },
        }).forEach(function (node) { cameraArea.appendChild(node); });
      },
    });
    cameraArea.appendChild(cameraButton);
    var file = el('input', { type: 'file', id: 'document-file', name: 'document', accept: 'image/*' });
    file.addEventListener('change', function () {
      var chosen = file.files && file.files[0];
      if (!chosen) return;
      var reader = new FileReader();
      reader.onload = function () { if (token === state.token) onPhoto(String(reader.result)); };
      reader.readAsDataURL(chosen);
    });
    var fileField = el('div', { class: 'field' }, [el('label', { for: 'document-file', text: t.documentFile }), file]);
    return [cameraArea, fileField];
  }

  function renderIntro() {
    setState('intro');
    indicator.textContent = '';
    var list = el('ol', { id: 'technology-list' }, techs.map(function (code) {
      return el('li', { 'data-technology': code, text: techTexts(code).title });
    }));
    var start = el('button', {
      type: 'button', id: 'start-button', text: t.start,
      onclick: function () { start.disabled = true; startStep(0); },
    });
    section(null, t.introTitle, [el('p', { text: t.introText }), list, start], { initial: true });
  }

  function startStep(index) {
    state.index = index;
    state.token += 1;
    var code = techs[index];
    setState('busy');
    indicator.textContent = fmt(t.stepOf, { i: index + 1, n: techs.length });
    return send({ type: 'technology.start', technology_code: code }).then(function (answer) {
      keepAttempt();
      showStep(code, answer);
    }).catch(showFatal);
  }

  // answer: what the step needs of the session's metadata (edocument, photo1).
  function showStep(code, answer) {
    if (code === 'ED') state.edocument = answer.edocument || null;
    if (code === 'F2F') state.photo1 = answer.photo1 || null;
    notify({ event: 'technology.start', technology_code: code });
    setState('step');
    var otp = code === 'ED' && readOtp();
    if (otp) renderOtp(otp.details, otp.phone);
    else renderTechnology(code);
  }

  // The session is this window's: opened again (a reload of the host page), it goes on where it was.
  function keepAttempt() {
    document.cookie = cfg.attemptCookie + '=' + encodeURIComponent(cfg.attempt) + '; path=/flow/' + cfg.sessionId +
      '; max-age=3600; samesite=lax';
  }

  // The SMS code was sent already: opened again, the page asks for it rather than sending another.
  function keepOtp(details, shownPhone) {
    try { sessionStorage.setItem('flow-otp:' + cfg.sessionId, JSON.stringify({ details: details, phone: shownPhone })); } catch (error) {}
  }

  function readOtp() {
    try { return JSON.parse(sessionStorage.getItem('flow-otp:' + cfg.sessionId) || 'null'); } catch (error) { return null; }
  }

  // cfg.resume: where the session is, when this window opens it again.
  function resume(at) {
    if (at.index >= techs.length) return endFlow(null);
    if (!at.running) return startStep(at.index);
    state.index = at.index;
    state.token += 1;
    indicator.textContent = fmt(t.stepOf, { i: at.index + 1, n: techs.length });
    showStep(techs[at.index], at);
  }

  // extra: { failure_reason, vendor_error, message, details }
  function finishStep(code, success, extra) {
    if (state.ending === state.token) return;
    state.ending = state.token;
    stopCamera();
    disableButtons();
    setState('busy');
    var body = { type: 'technology.end', technology_code: code, success: success };
    if (extra.failure_reason) body.failure_reason = extra.failure_reason;
    if (extra.vendor_error) body.vendor_error = extra.vendor_error;
    if (extra.details) body.details = extra.details;
    return send(body).then(function (answer) {
      // The emulator fails a step the page passed for a flow with failWith.
      var passed = success && answer.success !== false;
      notify({ event: 'technology.end', technology_code: code, success: passed });
      if (!passed) return endFlow(extra.message || t.failedGeneric);
      if (state.index + 1 < techs.length) return startStep(state.index + 1);
      return endFlow(null);
    }).catch(showFatal);
  }

  function endFlow(failureMessage) {
    setState('busy');
    return send({ type: 'flow.end' }).then(function (answer) {
      notify({ event: 'flow.end', session_id: cfg.sessionId, status: answer.status });
      if (answer.status === 'FINISHED') {
        setState('finished');
        location.replace(cfg.finishedUrl);
        return;
      }
      setState('failed');
      indicator.textContent = '';
      section(null, t.failedTitle, [
        el('p', { id: 'flow-failure-reason', role: 'alert', text: failureMessage || t.failedGeneric }),
        el('button', {
          type: 'button', id: 'finish-button', text: t.finish,
          onclick: function () { location.replace(cfg.finishedUrl); },
        }),
      ]);
    });
  }

  function showFatal(error) {
    stopCamera();
    setState('error');
    var text = (error && error.code && t.errors[error.code]) || t.errors.network;
    section(null, t.errorTitle, [el('p', { id: 'flow-error', role: 'alert', text: text })]);
  }

  function renderTechnology(code) {
    if (CAMERA[code]) return renderLiveness(code);
    if (code === 'ED') return renderEdocument();
    if (code === 'DR') return renderDocument();
    if (code === 'F2F') return renderFace2Face();
    return renderOther(code);
  }

  function renderLiveness(code) {
    var texts = techTexts(code);
    section(code, texts.title, [el('p', { id: 'step-instructions', text: texts.instructions })].concat(cameraCapture({
      videoId: 'camera-preview', statusId: 'camera-status', buttonId: 'capture-button', buttonText: t.capture,
      label: t.cameraPreview,
      onCapture: function (data) {
        state.face = data;
        finishStep(code, true, {});
      },
      onError: function (reason, message) {
        showStepError(message);
        finishStep(code, false, { failure_reason: reason, message: message });
      },
    })));
  }

  function isValidIin(value) {
    if (!/^\d{12}$/.test(value)) return false;
    var digits = value.split('').map(Number);
    var sum = function (weights) {
      return weights.reduce(function (acc, weight, i) { return acc + weight * digits[i]; }, 0) % 11;
    };
    var check = sum([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    if (check === 10) check = sum([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]);
    return check !== 10 && check === digits[11];
  }

  function field(id, name, value, readonly, extra) {
    var input = el('input', Object.assign({
      id: id, name: name, type: 'text', value: value || '', readonly: readonly,
      'aria-describedby': id + '-error', autocomplete: 'off', required: true,
    }, extra));
    return { input: input, error: el('p', { id: id + '-error', class: 'error' }) };
  }

  // state.edocument: { iin, phone, skip_input }, each field { value } (editable) or { masked } (fixed by
  // the host: shown masked, reported by nobody, recorded by the emulator from the session) or null.
  function renderEdocument() {
    var texts = techTexts('ED');
    var ed = state.edocument || {};
    var iin = ed.iin || {};
    var phone = ed.phone || {};
    if (ed.skip_input === true && iin.masked && phone.masked) return renderOtp({}, phone.masked);

    var iinField = field('iin-input', 'iin', iin.masked || iin.value, Boolean(iin.masked),
      { inputmode: 'numeric', maxlength: '12' });
    var phoneField = field('phone-input', 'phone', phone.masked || phone.value, Boolean(phone.masked),
      { inputmode: 'tel', maxlength: '11', placeholder: '77XXXXXXXXX' });
    var submit = el('button', { type: 'submit', id: 'edocument-submit', text: t.requestCode });
    var form = el('form', { id: 'edocument-form', novalidate: true }, [
      el('div', { class: 'field' }, [el('label', { for: 'iin-input', text: t.iinLabel }), iinField.input, iinField.error]),
      el('div', { class: 'field' }, [
        el('label', { for: 'phone-input', text: t.phoneLabel }),
        phoneField.input,
        el('p', { class: 'hint', text: t.phoneHint }),
        phoneField.error,
      ]),
      submit,
    ]);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var iinValue = iinField.input.value.trim();
      var phoneValue = phoneField.input.value.replace(/\D/g, '');
      var iinOk = Boolean(iin.masked) || isValidIin(iinValue);
      var phoneOk = Boolean(phone.masked) || /^77\d{9}$/.test(phoneValue);
      iinField.error.textContent = iinOk ? '' : t.iinInvalid;
      phoneField.error.textContent = phoneOk ? '' : t.phoneInvalid;
      iinField.input.setAttribute('aria-invalid', String(!iinOk));
      phoneField.input.setAttribute('aria-invalid', String(!phoneOk));
      if (!iinOk) { iinField.input.focus(); return; }
      if (!phoneOk) { phoneField.input.focus(); return; }
      var details = {};
      if (!iin.masked) details.iin = iinValue;
      if (!phone.masked) details.phone = phoneValue;
      renderOtp(details, phone.masked || phoneValue);
    });
    section('ED', texts.title, [el('p', { id: 'step-instructions', text: texts.instructions }), form]);
  }

  // details: the fields the person entered; shownPhone: where the code went, as the page may show it.
  function renderOtp(details, shownPhone) {
    keepOtp(details, shownPhone);
    var input = el('input', {
      id: 'otp-input', name: 'otp', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code',
      maxlength: '6', required: true, 'aria-describedby': 'otp-input-error',
    });
    var error = el('p', { id: 'otp-input-error', class: 'error' });
    var form = el('form', { id: 'otp-form', novalidate: true }, [
      el('div', { class: 'field' }, [el('label', { for: 'otp-input', text: t.otpLabel }), input, error]),
      el('button', { type: 'submit', id: 'otp-submit', text: t.otpSubmit }),
    ]);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var code = input.value.trim();
      if (!/^\d{6}$/.test(code)) {
        error.textContent = t.otpInvalid;
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      // Documented failing input: the code 000000 fails the E-Document step.
      if (code === '000000') {
        error.textContent = t.otpWrong;
        finishStep('ED', false, { failure_reason: 'invalid_otp', message: t.otpWrong, details: details });
        return;
      }
      state.egovPhoto = EGOV_PHOTO;
      finishStep('ED', true, { details: details });
    });
    // Not http(s): a native web view hands it to the system (the app); a browser or a frame stays put.
    var egov = el('p', { class: 'hint' }, [el('a', { id: 'egov-mobile-link', href: cfg.egovMobileUrl, text: t.egovMobile })]);
    section('ED', t.otpTitle, [el('p', { id: 'otp-sent', text: fmt(t.otpSent, { phone: shownPhone }) }), form, egov]);
    input.focus({ preventScroll: true });
  }

  function renderDocument() {
    var texts = techTexts('DR');
    section('DR', texts.title, [el('p', { id: 'step-instructions', text: texts.instructions })].concat(documentPhoto(function (data) {
      state.documentPhoto = data;
      finishStep('DR', true, {});
    })));
  }

  function photoDataUrl(base64) {
    var type = 'image/jpeg';
    if (base64.indexOf('iVBORw0KGgo') === 0) type = 'image/png';
    else if (base64.indexOf('R0lGOD') === 0) type = 'image/gif';
    else if (base64.indexOf('UklGR') === 0) type = 'image/webp';
    return 'data:' + type + ';base64,' + base64;
  }

  function renderFace2Face() {
    var texts = techTexts('F2F');
    if (!state.face) {
      section('F2F', texts.title, [el('p', { id: 'step-instructions', text: t.faceNeeded })].concat(cameraCapture({
        videoId: 'camera-preview', statusId: 'camera-status', buttonId: 'capture-button', buttonText: t.capture,
        label: t.cameraPreview,
        onCapture: function (data) { state.face = data; renderFace2Face(); },
        onError: function (reason, message) {
          showStepError(message);
          finishStep('F2F', false, { failure_reason: reason, message: message });
        },
      })));
      return;
    }
    // The reference photo: photo1 from metadata, else the document photo (DR), else the eGov photo (ED).
    var source = state.photo1 ? 'photo1' : state.documentPhoto ? 'document' : state.egovPhoto ? 'edocument' : null;
    var reference = source === 'photo1' ? photoDataUrl(state.photo1)
      : source === 'document' ? state.documentPhoto : state.egovPhoto;
    if (!reference) {
      section('F2F', texts.title, [el('p', { id: 'step-instructions', text: t.documentNeeded })].concat(documentPhoto(function (data) {
        state.documentPhoto = data;
        renderFace2Face();
      })));
      return;
    }
    var compare = el('button', {
      type: 'button', id: 'compare-button', text: t.compare,
      onclick: function () {
        finishStep('F2F', true, { details: { reference: source } });
      },
    });
    section('F2F', texts.title, [
      el('p', { id: 'step-instructions', text: texts.instructions }),
      el('div', { class: 'photos' }, [
        el('figure', {}, [el('img', { id: 'f2f-face', src: state.face, alt: t.faceAlt }), el('figcaption', { text: t.faceAlt })]),
        el('figure', {}, [el('img', { id: 'f2f-reference', src: reference, alt: t.referenceAlt }), el('figcaption', { text: t.referenceAlt })]),
      ]),
      compare,
    ]);
  }

  function renderOther(code) {
    var texts = techTexts(code);
    section(code, texts.title, [
      el('p', { id: 'step-instructions', text: texts.instructions }),
      el('button', { type: 'button', id: 'continue-button', text: t.continue, onclick: function () { finishStep(code, true, {}); } }),
    ]);
  }

  window.addEventListener('pagehide', stopCamera);
  if (cfg.resume) resume(cfg.resume);
  else renderIntro();
})();
`;
