import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

// https://vite.dev/config/
export default defineConfig({
  plugins: [vue({ template: { compilerOptions: { isCustomElement: (tag) => tag === 'biometric-flow' } } })],
  server: {
    // Your backend (the express example). The object form keeps the Host header, which the session
    // handler's origin check compares with Origin; the shorthand '/api': 'http://…' rewrites it (403).
    // `vite preview` uses the same proxy.
    proxy: { '/api': { target: process.env.BIOMETRIC_BACKEND ?? 'http://127.0.0.1:3000' } },
  },
})
