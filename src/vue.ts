/**
 * `biometric-flow/vue`: types `<biometric-flow>` in Vue 3 templates (Volar / vue-tsc). Types only; load
 * it once, e.g. `import type {} from 'biometric-flow/vue';` next to `import 'biometric-flow';`, and tell
 * Vue's compiler the tag is a custom element (`compilerOptions.isCustomElement`).
 *
 * Vue sets a binding as a property when the element has one (`:context`, `:request-init`, `:timeout`)
 * and as an attribute otherwise; `@finished` and `@flow-error` listen to the events of those names.
 *
 * @module
 */
import type { DefineComponent } from 'vue';
import type { BiometricFlowElement } from './biometric-flow-element.js';
import type { EventListenerProps } from './event-props.js';

/** The element's public properties, read from its declarations: a property the element gains is typed here too. */
type ElementProperty = Exclude<keyof typeof BiometricFlowElement.properties, `_${string}`>;

/**
 * Props and event listeners of `<biometric-flow>` in a Vue template (kebab-case there, as usual): the
 * element's properties, with its docs; bind objects and functions (`:context="..."`, `:request-init`).
 */
export interface BiometricFlowVueProps extends EventListenerProps, Partial<Pick<BiometricFlowElement, ElementProperty>> {}

declare module 'vue' {
  interface GlobalComponents {
    'biometric-flow': DefineComponent<BiometricFlowVueProps>;
  }
}
