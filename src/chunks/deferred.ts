// biometric-flow-deferred.js: what no start needs before its flow shows or it ends. Loaded through
// src/lazy.ts once a flow shows or a start ends (at once for an element in modal or popup mode): the
// modal and popup presenters, the progress, verdict and error
// views with their texts, the reading of a host's error answer, the console's help (and its look at the
// flow frame's camera policy), and what `resume` keeps.
export { explain } from '../diagnostics/explain.js';
export { errorText, stepLine, stepText, text } from '../i18n/sentences.js';
export { errorCode } from '../net/error-body.js';
export { retryable } from '../net/retry.js';
export { modalPresenter } from '../presenters/modal.js';
export { popupPresenter } from '../presenters/popup.js';
export { isKept, resumed } from '../resume.js';
export { cancelledView, errorView, finishedView, retryButton } from '../views/result.js';
