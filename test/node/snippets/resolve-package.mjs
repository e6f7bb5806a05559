// Module hooks: `biometric-flow` and its entries resolve to the sources, so that the
// docs' snippets run as written against this checkout (tsx, registered before, loads the TypeScript).
const sources = {
  'biometric-flow': new URL('../../../src/index.ts', import.meta.url).href,
  'biometric-flow/react': new URL('../../../src/react.ts', import.meta.url).href,
  'biometric-flow/server': new URL('../../../src/server/index.ts', import.meta.url).href,
  'biometric-flow/emulator': new URL('../../../src/emulator/index.ts', import.meta.url).href,
};

export async function resolve(specifier, context, nextResolve) {
  const url = sources[specifier];
  return nextResolve(url ?? specifier, context);
}
