// For tsc, which does not read .vue files (vue-tsc would; see demo/frameworks/README.md).
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent;
  export default component;
}
