// Comlink types its Node adapter at the path without an extension, which only a bundler resolves;
// Node and Vite's module runner (the benches, bench/isolation.ts) need the file's own name.
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import nodeEndpoint from 'comlink/dist/esm/node-adapter';
  export default nodeEndpoint;
}
