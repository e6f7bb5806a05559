import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'
import { securityHeaders } from 'biometric-flow/server'

// The pages of `vite` and `vite preview` with the headers the element needs.
const headers = securityHeaders({ flowBaseUrl: process.env.VITE_BIOMETRIC_FLOW_BASE_URL })

// https://vite.dev/config/
export default defineConfig({
  plugins: [vue({ template: { compilerOptions: { isCustomElement: (tag) => tag === 'biometric-flow' } } })],
  server: {
    // Your backend (the express example). The object form keeps the Host header, which the session
    // handler's origin check compares with Origin; the shorthand '/api': 'http://…' rewrites it (403).
    // `vite preview` uses the same proxy.
    proxy: { '/api': { target: process.env.BIOMETRIC_BACKEND ?? 'http://127.0.0.1:3000' } },
    headers,
  },
  preview: { headers },
})
