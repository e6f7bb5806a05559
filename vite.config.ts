import { minifyTemplateLiterals } from 'rollup-plugin-minify-template-literals';
import { defineConfig } from 'vite';

/**
 * What goes into biometric-flow-session.js (src/chunks/session.ts): zod, the schemas, the session and status
 * answers' checks, the verdict.
 */
const SESSION_CHUNK = /node_modules[\\/]zod[\\/]|src[\\/](schemas|net[\\/]session|status-poller|verdict|chunks[\\/]session)\.ts$/;

// `comments.annotation: false`: the minifier keeps `/* @__PURE__ */` marks by default, about 40 of them (70
// bytes gzip) that nothing reads in a file served as it is.
const OUTPUT = { minify: true, chunkFileNames: 'biometric-flow-[name].js', comments: { annotation: false } } as const;

/**
 * `vite build` makes the CDN files (dist/cdn/biometric-flow.js and .iife.js: one self-registering
 * file each, every dependency inside, minified, with source maps). `vite` (dev) serves the demo.
 * The ES file loads the entry files of src/chunks/ on demand (through src/lazy.ts), each a file named
 * after it: session.ts (as every start begins) → dist/cdn/biometric-flow-session.js, deferred.ts →
 * biometric-flow-deferred.js, handoff.ts (on connection, once a handoff
 * can matter) → biometric-flow-handoff.js, handoff-view.ts (when a handoff may show) →
 * biometric-flow-handoff-view.js. These names are public: hosts serve them beside biometric-flow.js. The
 * IIFE cannot split, and Vite inlines those imports there (`codeSplitting: false` for iife).
 */
export default defineConfig(({ command }) =>
  command === 'build'
    ? {
        publicDir: false,
        // Lit's html`` and css`` literals keep their indentation through a JS minifier; this takes it out.
        plugins: [minifyTemplateLiterals()],
        build: {
          outDir: 'dist/cdn',
          emptyOutDir: true,
          sourcemap: true,
          minify: true,
          target: 'es2022',
          // Vite leaves lib-mode ES output unminified by default; the CDN module should be as small as the IIFE.
          rolldownOptions: {
            // What the lazy chunk shares with the entry (lit, mostly) stays in the entry, which then
            // exports it to the chunk, rather than going to a third file that every page would load.
            preserveEntrySignatures: 'allow-extension',
            // One output per format (in place of `lib.formats`): only the ES one splits.
            output: [
              {
                ...OUTPUT,
                format: 'es',
                codeSplitting: {
                  // The session chunk's modules, one file whoever imports them: the deferred chunk (`resume`) and
                  // the handoff view check answers with zod too, and would otherwise split zod and the schemas
                  // off into a third file that the session chunk imports, one more round trip after it.
                  // Their own imports (errors, events) stay in the core, which every chunk imports anyway.
                  groups: [{ name: 'session', test: SESSION_CHUNK, includeDependenciesRecursively: false }],
                },
              },
              { ...OUTPUT, format: 'iife', name: 'BiometricFlow' },
            ],
          },
          lib: {
            entry: 'src/index.ts',
            name: 'BiometricFlow',
            fileName: (format) => (format === 'es' ? 'biometric-flow.js' : 'biometric-flow.iife.js'),
          },
        },
      }
    : {
        root: 'demo',
        server: { host: '127.0.0.1', strictPort: true },
      },
);
