import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  // Relative asset URLs: the built app can be served under any path.
  base: './',
  plugins: [react()],
  resolve: {
    // This repository keeps React 19 at the top of node_modules and React 18 beside it (npm aliases);
    // the app's build links React 18 as `react` next to the app, and dedupe makes react-dom and the
    // package resolve that one too. An app with one React needs no such line.
    dedupe: ['react', 'react-dom'],
  },
});
