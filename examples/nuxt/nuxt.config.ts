// https://nuxt.com/docs/api/configuration/nuxt-config
export default defineNuxtConfig({
  compatibilityDate: '2025-07-15',
  devtools: { enabled: true },
  // The element speaks the page's language (ru, kk or en).
  app: { head: { htmlAttrs: { lang: 'en' } } },
  // <biometric-flow> is a custom element, not a Vue component: rendered as it is, on the server too.
  vue: { compilerOptions: { isCustomElement: (tag) => tag === 'biometric-flow' } },
  runtimeConfig: {
    // Read when the server starts, from NUXT_PUBLIC_BIOMETRIC_FLOW_BASE_URL: set it at run time, no rebuild.
    // Empty: Biometric.Vision's own flow; the emulator's URL in development.
    public: { biometricFlowBaseUrl: '' },
  },
})
