// vite.config.ts: the page on Vite's dev server, the API on your backend at :3000
import { defineConfig } from 'vite';

export default defineConfig({
  server: {
    proxy: {
      // Not the shorthand '/api': 'http://localhost:3000': it sets changeOrigin, which gives the backend
      // its own Host, and the origin check then refuses the page (403 forbidden-origin).
      '/api': { target: 'http://localhost:3000', changeOrigin: false },
    },
  },
});
