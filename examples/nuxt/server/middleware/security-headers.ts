import { securityHeaders } from 'biometric-flow/server'

// Every answer with the headers the element needs, for the flow URL the server runs with (read at run
// time, as the page's runtimeConfig is: one build serves the emulator and the vendor alike).
export default defineEventHandler((event) => {
  const { biometricFlowBaseUrl } = useRuntimeConfig(event).public
  setResponseHeaders(event, securityHeaders({ flowBaseUrl: biometricFlowBaseUrl || undefined }))
})
