import { BiometricFlowElement } from './biometric-flow-element.js';

/** The element's tag name. */
export const TAG_NAME = 'biometric-flow';

/**
 * Registers `<biometric-flow>` unless something already did (a second copy of the package, a CDN
 * build next to an npm one). Does nothing outside a browser.
 */
export function defineBiometricFlow(registry: CustomElementRegistry | undefined = globalThis.customElements): void {
  if (registry && !registry.get(TAG_NAME)) registry.define(TAG_NAME, BiometricFlowElement);
}

defineBiometricFlow();

declare global {
  interface HTMLElementTagNameMap {
    'biometric-flow': BiometricFlowElement;
  }
}
