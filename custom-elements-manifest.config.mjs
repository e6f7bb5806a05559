// custom-elements.json is generated from the element's JSDoc; `npm run build` rewrites it and
// scripts/check-manifest.mjs fails when the committed one is stale. The framework modules (React, Vue)
// declare no element, so they stay out of it.
export default {
  globs: ['src/*.ts'],
  exclude: ['src/**/*.test.ts', 'src/react.ts', 'src/react-jsx.ts', 'src/vue.ts'],
  outdir: '.',
  litelement: true,
  packagejson: false,
};
