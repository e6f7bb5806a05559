import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  // Relative asset URLs: the built app can be served under any path.
  base: './',
  plugins: [react()],
  resolve: { dedupe: ['react', 'react-dom'] },
});
