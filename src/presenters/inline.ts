// Inline mode: the flow in a frame in the element's own box.
import { flowBox, flowFrame } from './frame.js';
import type { Presenter, PresenterHost } from './types.js';

export function inlinePresenter(host: PresenterHost): Presenter {
  return { ...flowFrame(host), render: flowBox };
}
