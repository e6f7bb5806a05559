// custom-elements.json is generated from the element's JSDoc; `npm run build` rewrites it and CI fails
// when the committed one is stale.
export default {
  globs: ['src/*.ts'],
  exclude: ['src/**/*.test.ts'],
  outdir: '.',
  litelement: true,
  packagejson: false,
};
