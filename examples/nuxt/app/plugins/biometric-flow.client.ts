// Registers <biometric-flow> in the browser only: the server renders the tag as HTML, and the element
// upgrades it when this plugin has run, before the page is hydrated.
import 'biometric-flow'

export default defineNuxtPlugin(() => {})
