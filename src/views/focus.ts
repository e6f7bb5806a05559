// Where focus goes when what the element shows changes under the person: to its start button, or to the
// result that stands in place of the flow (`data-focus-after-dialog`).

/** What can take focus in the element. */
export interface Focusable {
  readonly updateComplete: Promise<unknown>;
  readonly renderRoot: ParentNode;
}

/** What focus moves to in `element`: its start button or its result. */
export function focusTarget(element: Focusable): HTMLElement | null {
  return element.renderRoot.querySelector<HTMLElement>('[part~="trigger"], [data-focus-after-dialog]');
}

/**
 * Moves focus to what `element` shows once it has rendered (and its deferred view is loaded), and brings
 * the element's box into view when it is not (a box that shrank at the end of the flow can leave it above
 * the screen); a box in view does not move.
 */
export function focusResult(element: Focusable): void {
  void element.updateComplete.then(() => {
    focusTarget(element)?.focus({ preventScroll: true });
    element.renderRoot.querySelector('.base')?.scrollIntoView({ block: 'nearest' });
  });
}
